package store

import (
	"context"
	"database/sql"
	"strings"
)

func insertEvents(ctx context.Context, tx querier, events []OktaLogEvent) error {
	for _, e := range events {
		if _, err := tx.ExecContext(ctx, insertEventSQL,
			e.UUID, e.Published, e.EventType, e.Outcome, e.ActorID, strings.Join(e.TargetIDs, " "), string(e.Body)); err != nil {
			return err
		}
	}
	return nil
}

// AppendOktaLogEvents stores System Log events.
func (s *OktaStore) AppendOktaLogEvents(ctx context.Context, events []OktaLogEvent) error {
	return s.db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error { return insertEvents(ctx, tx, events) })
}

// OktaLogEvents lists System Log events in the order they were recorded (or
// the reverse), which is publication order.
func (s *OktaStore) OktaLogEvents(ctx context.Context, q OktaLogQuery) ([]OktaLogEvent, error) {
	query := `SELECT seq, uuid, published, event_type, outcome, actor_id, target_ids, body FROM okta_log_events
		WHERE published >= ? AND published < ?`
	args := []any{q.Since, q.Until}
	if q.Descending {
		if q.AfterSeq > 0 {
			query += ` AND seq < ?`
			args = append(args, q.AfterSeq)
		}
		query += ` ORDER BY seq DESC`
	} else {
		query += ` AND seq > ? ORDER BY seq`
		args = append(args, q.AfterSeq)
	}
	rows, err := s.db.read.QueryContext(ctx, query, args...)
	return collect(rows, err, scanLogEvent, q.Match, max(q.Limit, 0))
}

func scanLogEvent(sc rowScanner) (OktaLogEvent, error) {
	var e OktaLogEvent
	var targets, body string
	err := sc.Scan(&e.Seq, &e.UUID, &e.Published, &e.EventType, &e.Outcome, &e.ActorID, &targets, &body)
	e.TargetIDs = strings.Fields(targets)
	e.Body = []byte(body)
	return e, err
}
