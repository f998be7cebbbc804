package okta

import (
	"net/http"
	"strconv"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// The provisioning tasks API, Okta's admin "Tasks" view as an API: the
// tasks not completed yet (PENDING: queued or waiting to retry; FAILED:
// given up) and their retry. Not part of Okta's public API; DESIGN.md has
// the contract.

type taskJSON struct {
	ID             string  `json:"id"`
	AppID          string  `json:"appId"`
	UserID         string  `json:"userId"`
	Login          string  `json:"login"`
	Operation      string  `json:"operation"`
	Status         string  `json:"status"`
	Attempts       int     `json:"attempts"`
	LastError      *string `json:"lastError"`
	FirstAttemptAt *string `json:"firstAttemptAt"`
	LastAttemptAt  *string `json:"lastAttemptAt"`
	NextAttemptAt  *string `json:"nextAttemptAt,omitempty"`
}

func (s *Server) renderTask(r *http.Request, t store.OktaTask) taskJSON {
	op := t.Operation
	if op == "" {
		op = s.engine.nextOperation(r.Context(), t.AppID, t.UserID)
	}
	j := taskJSON{ID: t.ID, AppID: t.AppID, UserID: t.UserID, Login: t.Login, Operation: op, Status: t.Status,
		Attempts: t.Attempts, LastError: nullable(t.LastError),
		FirstAttemptAt: nullable(t.FirstAttempt), LastAttemptAt: nullable(t.LastAttempt)}
	if t.Status == store.TaskPending {
		j.NextAttemptAt = nullable(t.NotBefore)
	}
	return j
}

// listTasks is GET /api/v1/apps/{appId}/provisioning/tasks?status=&limit=&after=.
func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) error {
	appID := r.PathValue("appId")
	after, limit, err := pageParams(r, 50, 200)
	if err != nil {
		return notFound(err, "App", appID)
	}
	status := r.URL.Query().Get("status")
	if status != "" && status != store.TaskPending && status != store.TaskFailed {
		return invalid("status", "status: must be PENDING or FAILED, got "+strconv.Quote(status))
	}
	tasks, err := s.store.OktaTasks(r.Context(), appID, status, after, limit+1)
	if err != nil {
		return notFound(err, "App", appID)
	}
	writePage(w, r, tasks, limit, func(t store.OktaTask) string { return t.ID },
		func(t store.OktaTask) taskJSON { return s.renderTask(r, t) })
	return nil
}

// retryTask is POST /api/v1/apps/{appId}/provisioning/tasks/{taskId}/lifecycle/retry:
// the task is queued again at once, with a new retry window.
func (s *Server) retryTask(w http.ResponseWriter, r *http.Request) error {
	appID, taskID := r.PathValue("appId"), r.PathValue("taskId")
	tasks, err := s.requeue(r, appID, []string{taskID})
	if err == nil && len(tasks) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return notFound(err, "ProvisioningTask", taskID)
	}
	t := tasks[0]
	if u, err := s.store.OktaUser(r.Context(), t.UserID); err == nil {
		t.Login = u.Login()
	}
	writeJSON(w, http.StatusOK, s.renderTask(r, t))
	return nil
}

// retryTasks is POST /api/v1/apps/{appId}/provisioning/tasks/lifecycle/retry
// with an optional {"taskIds":[...]}; without ids every FAILED task of the
// app is queued again.
func (s *Server) retryTasks(w http.ResponseWriter, r *http.Request) error {
	appID := r.PathValue("appId")
	var body struct {
		TaskIDs []string `json:"taskIds"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	tasks, err := s.requeue(r, appID, body.TaskIDs)
	if err != nil {
		return notFound(err, "App", appID)
	}
	writeJSON(w, http.StatusOK, map[string]int{"retried": len(tasks)})
	return nil
}

func (s *Server) requeue(r *http.Request, appID string, ids []string) ([]store.OktaTask, error) {
	tasks, err := s.store.RequeueOktaTasks(r.Context(), appID, ids)
	if err != nil {
		return nil, err
	}
	s.engine.enqueue(tasks)
	return tasks, nil
}
