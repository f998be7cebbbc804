package store

import (
	"context"
	"strings"
	"testing"
)

// TestTasksListingWalksTheIDIndex: a page of an app's tasks reads its rows
// in id order from the id index and stops at the limit. Through the (app,
// user) key it would sort every task of the app first: 100,000 queued
// users made each page of the console's task list cost about 30 ms of CPU.
func TestTasksListingWalksTheIDIndex(t *testing.T) {
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	rows, err := db.read.Query("EXPLAIN QUERY PLAN "+listTasksSQL, "0oa1", "", "", 50)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "; ")
	if strings.Contains(got, "TEMP B-TREE") || !strings.Contains(got, "SEARCH t USING INDEX") || !strings.Contains(got, "(id>?)") {
		t.Fatalf("tasks listing plan: %s", got)
	}
}
