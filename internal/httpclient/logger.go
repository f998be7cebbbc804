package httpclient

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
)

// scrubbingLogger adapts slog to retryablehttp's LeveledLogger. Values are
// flattened to strings, headers and requests are never printed, and any
// occurrence of a secret is replaced, so a token cannot reach a log line
// even if a future retryablehttp logs more than it does today.
type scrubbingLogger struct {
	log     *slog.Logger
	secrets []string
}

var _ retryablehttp.LeveledLogger = scrubbingLogger{}

func newScrubbingLogger(l *slog.Logger, authorization string) scrubbingLogger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	secrets := []string{authorization}
	// The bare token too, without its "Bearer " or "SSWS " scheme.
	if _, tok, ok := strings.Cut(authorization, " "); ok && tok != "" {
		secrets = append(secrets, tok)
	}
	return scrubbingLogger{log: l, secrets: secrets}
}

func (s scrubbingLogger) Error(msg string, kv ...any) { s.emit(slog.LevelError, msg, kv) }
func (s scrubbingLogger) Info(msg string, kv ...any)  { s.emit(slog.LevelInfo, msg, kv) }
func (s scrubbingLogger) Debug(msg string, kv ...any) { s.emit(slog.LevelDebug, msg, kv) }
func (s scrubbingLogger) Warn(msg string, kv ...any)  { s.emit(slog.LevelWarn, msg, kv) }

func (s scrubbingLogger) emit(level slog.Level, msg string, kv []any) {
	if !s.log.Enabled(context.Background(), level) {
		return
	}
	attrs := make([]any, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		key := fmt.Sprint(kv[i])
		switch v := kv[i+1].(type) {
		case http.Header, *http.Request, *http.Response:
			continue
		default:
			attrs = append(attrs, slog.String(key, s.scrub(stripQueries(fmt.Sprint(v)))))
		}
	}
	s.log.Log(context.Background(), level, s.scrub(msg), attrs...)
}

// answer logs each attempt's status with the request's context, so the
// line is tied to the Terraform operation that made it.
func (s scrubbingLogger) answer(resp *http.Response) {
	if resp == nil || resp.Request == nil {
		return
	}
	ctx := resp.Request.Context()
	if !s.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	s.log.LogAttrs(ctx, slog.LevelDebug, "answer",
		slog.String("method", resp.Request.Method),
		slog.String("url", s.scrub(stripQueries(resp.Request.URL.String()))),
		slog.Int("status", resp.StatusCode))
}

func (s scrubbingLogger) scrub(v string) string { return scrubSecrets(v, s.secrets...) }

func scrubSecrets(v string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 && strings.Contains(v, sec) {
			v = strings.ReplaceAll(v, sec, "[redacted]")
		}
	}
	// The scheme-less token as well as the full header value.
	for _, sec := range secrets {
		if _, tok, ok := strings.Cut(sec, " "); ok && len(tok) >= 4 {
			v = strings.ReplaceAll(v, tok, "[redacted]")
		}
	}
	return v
}

var queryPattern = regexp.MustCompile(`\?[^\s)]*`)

// stripQueries drops query strings from URLs inside a log value.
func stripQueries(v string) string { return queryPattern.ReplaceAllString(v, "") }
