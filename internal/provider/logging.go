package provider

import (
	"context"
	"log/slog"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tflogHandler sends the API clients' slog records (retries, failed
// attempts) to Terraform's provider log, visible with TF_LOG. The clients
// already scrub secrets; the context is the one Configure received, which
// carries the provider's log sink for the life of the process.
type tflogHandler struct {
	ctx   context.Context
	attrs []slog.Attr
}

func newLogger(ctx context.Context) *slog.Logger {
	return slog.New(&tflogHandler{ctx: ctx})
}

func (h *tflogHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *tflogHandler) Handle(ctx context.Context, r slog.Record) error {
	// A record logged with a request's context carries that RPC's logger
	// (resource type, request id); records without one use Configure's.
	if ctx == nil || ctx == context.Background() {
		ctx = h.ctx
	}
	fields := make(map[string]any, r.NumAttrs()+len(h.attrs))
	for _, a := range h.attrs {
		fields[a.Key] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool {
		fields[a.Key] = a.Value.String()
		return true
	})
	switch {
	case r.Level >= slog.LevelError:
		tflog.Error(ctx, r.Message, fields)
	case r.Level >= slog.LevelWarn:
		tflog.Warn(ctx, r.Message, fields)
	case r.Level >= slog.LevelInfo:
		tflog.Info(ctx, r.Message, fields)
	default:
		tflog.Debug(ctx, r.Message, fields)
	}
	return nil
}

func (h *tflogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &tflogHandler{ctx: h.ctx, attrs: append(append([]slog.Attr{}, h.attrs...), attrs...)}
}

func (h *tflogHandler) WithGroup(string) slog.Handler { return h }
