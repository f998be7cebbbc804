package okta

import (
	"errors"
	"net/http"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

type groupJSON struct {
	ID                    string            `json:"id"`
	Created               string            `json:"created"`
	LastUpdated           string            `json:"lastUpdated"`
	LastMembershipUpdated string            `json:"lastMembershipUpdated"`
	ObjectClass           []string          `json:"objectClass"`
	Type                  string            `json:"type"`
	Profile               map[string]string `json:"profile"`
	Links                 map[string]any    `json:"_links"`
	// Embedded holds the stats that ?expand=stats asks for, as Okta does.
	Embedded *groupEmbedded `json:"_embedded,omitempty"`
}

type groupEmbedded struct {
	Stats struct {
		UsersCount int `json:"usersCount"`
	} `json:"stats"`
}

// groupStats counts a group's members for ?expand=stats.
func (s *Server) groupStats(r *http.Request, g store.OktaGroup) (*groupEmbedded, error) {
	var e groupEmbedded
	after := ""
	for {
		page, err := s.store.OktaGroupMembers(r.Context(), g.ID, after, 10000)
		if err != nil {
			return nil, err
		}
		e.Stats.UsersCount += len(page)
		if len(page) < 10000 {
			return &e, nil
		}
		after = page[len(page)-1].ID
	}
}

func renderGroup(r *http.Request, g store.OktaGroup) groupJSON {
	self := baseURL(r) + "/api/v1/groups/" + g.ID
	return groupJSON{
		ID: g.ID, Created: g.Created, LastUpdated: g.LastUpdated, LastMembershipUpdated: g.LastMembershipUpdated,
		ObjectClass: []string{"okta:user_group"}, Type: g.Type,
		Profile: map[string]string{"name": g.Name, "description": g.Description},
		Links:   map[string]any{"self": link(self), "users": link(self + "/users"), "apps": link(self + "/apps"), "logo": []any{}},
	}
}

var errBuiltIn = forbidden("E0000006", "You do not have permission to perform the requested action")

type groupProfileInput struct {
	Profile *struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
	} `json:"profile"`
}

func (in groupProfileInput) validate() error {
	if in.Profile == nil || in.Profile.Name == nil || strings.TrimSpace(*in.Profile.Name) == "" {
		return invalid("name", "name: The field cannot be left blank")
	}
	if err := tooLong("name", *in.Profile.Name, maxGroupName); err != nil {
		return err
	}
	if in.Profile.Description != nil {
		return tooLong("description", *in.Profile.Description, maxGroupDescription)
	}
	return nil
}

var errGroupNameTaken = invalid("name", "name: An object with this field already exists in the current organization")

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) error {
	var body groupProfileInput
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if err := body.validate(); err != nil {
		return notFound(err, "UserGroup", "")
	}
	now := s.timestamp()
	g := store.OktaGroup{ID: "00g" + s.newID(), Type: "OKTA_GROUP", Name: strings.TrimSpace(*body.Profile.Name),
		Created: now, LastUpdated: now, LastMembershipUpdated: now}
	if body.Profile.Description != nil {
		g.Description = *body.Profile.Description
	}
	err := s.store.CreateOktaGroup(r.Context(), g)
	if errors.Is(err, store.ErrConflict) {
		err = errGroupNameTaken
	}
	if err != nil {
		return notFound(err, "UserGroup", "")
	}
	writeJSON(w, http.StatusOK, renderGroup(r, g))
	return nil
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r, 10000, 10000)
	if err != nil {
		return notFound(err, "UserGroup", "")
	}
	q := r.URL.Query()
	var exprs []filterExpr
	for _, param := range []string{"filter", "search"} {
		if v := q.Get(param); v != "" {
			e, err := parseFilter(v, func(a string) bool {
				switch a {
				case "id", "type", "created", "lastUpdated", "lastMembershipUpdated", "profile.name", "profile.description":
					return true
				}
				return false
			})
			if err != nil {
				return apiErr(http.StatusBadRequest, "E0000031", "Invalid search criteria.", param+": "+err.Error())
			}
			exprs = append(exprs, e)
		}
	}
	prefix := strings.ToLower(q.Get("q"))
	var groups []store.OktaGroup
	if len(exprs) == 0 && prefix == "" {
		if groups, err = s.store.OktaGroups(r.Context(), after, limit+1, nil); err != nil {
			return notFound(err, "UserGroup", "")
		}
		return s.writeGroups(w, r, groups, limit)
	}
	sr, end, err := s.startSearch(r, searchParam(q))
	if err != nil {
		return err
	}
	defer end()
	groups, err = s.store.OktaGroups(sr.ctx, after, limit+1, func(g store.OktaGroup) bool {
		if !sr.row(int64(len(g.ID)+len(g.Name)+len(g.Description)+100) * cost.DecodeWeight) {
			return false
		}
		get := func(a string) (string, bool) {
			switch a {
			case "id":
				return g.ID, true
			case "type":
				return g.Type, true
			case "created":
				return g.Created, true
			case "lastUpdated":
				return g.LastUpdated, true
			case "lastMembershipUpdated":
				return g.LastMembershipUpdated, true
			case "profile.name":
				return g.Name, true
			case "profile.description":
				return g.Description, true
			}
			return "", false
		}
		for _, e := range exprs {
			if !e.eval(get, sr.meter) || sr.over() {
				return false
			}
		}
		return prefix == "" || sr.charge(prefixCost(g.Name, prefix)) && strings.HasPrefix(strings.ToLower(g.Name), prefix)
	})
	if err = sr.result(err); err != nil {
		return notFound(err, "UserGroup", "")
	}
	return s.writeGroups(w, r, groups, limit)
}

// writeGroups writes one page of groups, with each group's member count
// when the request asks for ?expand=stats.
func (s *Server) writeGroups(w http.ResponseWriter, r *http.Request, groups []store.OktaGroup, limit int) error {
	stats := map[string]*groupEmbedded{}
	if r.URL.Query().Get("expand") == "stats" {
		for i, g := range groups {
			if i == limit {
				break
			}
			st, err := s.groupStats(r, g)
			if err != nil {
				return err
			}
			stats[g.ID] = st
		}
	}
	writePage(w, r, groups, limit, func(g store.OktaGroup) string { return g.ID },
		func(g store.OktaGroup) groupJSON {
			out := renderGroup(r, g)
			out.Embedded = stats[g.ID]
			return out
		})
	return nil
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	g, err := s.store.OktaGroup(r.Context(), id)
	if err != nil {
		return notFound(err, "UserGroup", id)
	}
	writeJSON(w, http.StatusOK, renderGroup(r, g))
	return nil
}

func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var body groupProfileInput
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if err := body.validate(); err != nil {
		return notFound(err, "UserGroup", id)
	}
	g, err := s.store.UpdateOktaGroup(r.Context(), id, func(g *store.OktaGroup) error {
		if g.Type == "BUILT_IN" {
			return errBuiltIn
		}
		g.Name, g.LastUpdated = strings.TrimSpace(*body.Profile.Name), s.timestamp()
		if body.Profile.Description != nil {
			g.Description = *body.Profile.Description
		}
		return nil
	})
	if errors.Is(err, store.ErrConflict) {
		err = errGroupNameTaken
	}
	if err != nil {
		return notFound(err, "UserGroup", id)
	}
	writeJSON(w, http.StatusOK, renderGroup(r, g))
	return nil
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	g, err := s.store.OktaGroup(r.Context(), id)
	if err != nil {
		return notFound(err, "UserGroup", id)
	}
	if g.Type == "BUILT_IN" {
		return errBuiltIn
	}
	tasks, err := s.store.DeleteOktaGroup(r.Context(), id, s.timestamp())
	if err != nil {
		return notFound(err, "UserGroup", id)
	}
	s.engine.enqueue(tasks)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listGroupUsers(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	after, limit, err := pageParams(r, 1000, 10000)
	if err != nil {
		return notFound(err, "UserGroup", id)
	}
	users, err := s.store.OktaGroupMembers(r.Context(), id, after, limit+1)
	if err != nil {
		return notFound(err, "UserGroup", id)
	}
	writePage(w, r, users, limit, func(u store.OktaUser) string { return u.ID },
		func(u store.OktaUser) userJSON { return renderUser(r, u) })
	return nil
}

// setGroupMember adds or removes a member; the change is pushed to the apps
// the group is assigned to.
func (s *Server) setGroupMember(member bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, userID := r.PathValue("id"), r.PathValue("userId")
		g, err := s.store.OktaGroup(r.Context(), id)
		if err != nil {
			return notFound(err, "UserGroup", id)
		}
		if g.Type == "BUILT_IN" {
			return errBuiltIn
		}
		u, err := s.store.OktaUser(r.Context(), userID)
		if err != nil {
			return notFound(err, "User", userID)
		}
		tasks, err := s.store.SetOktaGroupMember(r.Context(), g.ID, u.ID, member, s.timestamp())
		if err != nil {
			return notFound(err, "UserGroup", id)
		}
		s.engine.enqueue(tasks)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
