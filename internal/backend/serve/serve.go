// Package serve holds what both faces of the backend do around their
// handlers: recording the status a handler answered and surviving its panic.
package serve

import (
	"errors"
	"net/http"
)

// Recorder remembers the status a handler answered and whether it wrote
// anything yet.
type Recorder struct {
	http.ResponseWriter
	Status int
	Wrote  bool
}

// NewRecorder wraps w; a handler that never calls WriteHeader answered 200.
func NewRecorder(w http.ResponseWriter) *Recorder {
	return &Recorder{ResponseWriter: w, Status: http.StatusOK}
}

func (r *Recorder) WriteHeader(code int) {
	if !r.Wrote {
		r.Status = code
		r.Wrote = true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *Recorder) Write(b []byte) (int, error) {
	r.Wrote = true
	return r.ResponseWriter.Write(b)
}

func (r *Recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Recovered handles p, the value of recover() after a handler: nil is no
// panic; http.ErrAbortHandler is panicked again, as net/http expects; any
// other panic is reported to logPanic and, unless the handler already
// wrote, answered by answer with a 500. Call it deferred:
//
//	defer func() { serve.Recovered(recover(), rec, logPanic, answer) }()
func Recovered(p any, rec *Recorder, logPanic func(p any), answer func(w http.ResponseWriter)) {
	if p == nil {
		return
	}
	if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
		panic(p)
	}
	logPanic(p)
	if !rec.Wrote {
		answer(rec)
	}
}
