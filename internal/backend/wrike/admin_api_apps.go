package wrike

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
)

func toAPIApp(a store.WrikeAPIApp, token string) wrikeapi.APIApp {
	return wrikeapi.APIApp{ID: a.ID, Name: a.Name, Description: a.Description,
		CreatedDate: formatDate(a.Created), TokenCreatedDate: formatDate(a.TokenCreated), Token: token}
}

func (s *Server) listAPIApps(w http.ResponseWriter, _ *http.Request) error {
	s.mu.RLock()
	out := make([]wrikeapi.APIApp, 0, len(s.apps))
	for _, a := range s.apps {
		out = append(out, toAPIApp(a, ""))
	}
	s.mu.RUnlock()
	writeData(w, http.StatusOK, "apiApps", out)
	return nil
}

func (s *Server) findAPIApp(id string) (store.WrikeAPIApp, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, a := range s.apps {
		if a.ID == id {
			return a, nil
		}
	}
	return store.WrikeAPIApp{}, fmt.Errorf("%w: API app %q", store.ErrNotFound, id)
}

// appText reads and checks name and description.
func appText(p adminParams, a *store.WrikeAPIApp, requireName bool) error {
	name, ok, err := p.str("name")
	if err != nil {
		return err
	}
	if ok {
		name = strings.TrimSpace(name)
		if name == "" {
			return fmt.Errorf("%w: name cannot be empty", errInvalidParameter)
		}
		if len(name) > 200 {
			return fmt.Errorf("%w: name is longer than 200 characters", errInvalidParameter)
		}
		a.Name = name
	} else if requireName {
		return fmt.Errorf("%w: name is required", errParameterRequired)
	}
	desc, ok, err := p.str("description")
	if err != nil {
		return err
	}
	if ok {
		if len(desc) > 2000 {
			return fmt.Errorf("%w: description is longer than 2000 characters", errInvalidParameter)
		}
		a.Description = desc
	}
	return nil
}

func (s *Server) createAPIApp(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(w, r, "name", "description")
	if err != nil {
		return err
	}
	now := s.now().UTC()
	a := store.WrikeAPIApp{ID: s.newID(), Created: now, TokenCreated: now}
	if err := appText(p, &a, true); err != nil {
		return err
	}
	tok := newToken(apiTokenPrefix)
	h := hashToken(tok)
	a.TokenHash = h[:]
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	if err := s.store.CreateWrikeAPIApp(r.Context(), a); err != nil {
		return fmt.Errorf("API app: %w", err)
	}
	s.mu.Lock()
	s.apps = append(s.apps, a)
	s.appsByToken[h] = a.ID
	s.mu.Unlock()
	writeData(w, http.StatusOK, "apiApps", []wrikeapi.APIApp{toAPIApp(a, tok)})
	return nil
}

func (s *Server) getAPIApp(w http.ResponseWriter, r *http.Request) error {
	a, err := s.findAPIApp(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, "apiApps", []wrikeapi.APIApp{toAPIApp(a, "")})
	return nil
}

// replaceAPIApp stores a changed app and swaps it in memory, moving its token
// hash when the token changed.
func (s *Server) replaceAPIApp(r *http.Request, old, a store.WrikeAPIApp) error {
	if err := s.store.UpdateWrikeAPIApp(r.Context(), a); err != nil {
		return fmt.Errorf("API app %q: %w", a.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.apps {
		if s.apps[i].ID == a.ID {
			s.apps[i] = a
		}
	}
	delete(s.appsByToken, toHash(old.TokenHash))
	s.appsByToken[toHash(a.TokenHash)] = a.ID
	return nil
}

func (s *Server) updateAPIApp(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(w, r, "name", "description")
	if err != nil {
		return err
	}
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	old, err := s.findAPIApp(r.PathValue("id"))
	if err != nil {
		return err
	}
	a := old
	if err := appText(p, &a, false); err != nil {
		return err
	}
	if err := s.replaceAPIApp(r, old, a); err != nil {
		return err
	}
	writeData(w, http.StatusOK, "apiApps", []wrikeapi.APIApp{toAPIApp(a, "")})
	return nil
}

func (s *Server) regenerateAPIAppToken(w http.ResponseWriter, r *http.Request) error {
	if _, err := readParams(w, r); err != nil {
		return err
	}
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	old, err := s.findAPIApp(r.PathValue("id"))
	if err != nil {
		return err
	}
	a := old
	tok := newToken(apiTokenPrefix)
	h := hashToken(tok)
	a.TokenHash = h[:]
	a.TokenCreated = s.now().UTC()
	if err := s.replaceAPIApp(r, old, a); err != nil {
		return err
	}
	writeData(w, http.StatusOK, "apiApps", []wrikeapi.APIApp{toAPIApp(a, tok)})
	return nil
}

func (s *Server) deleteAPIApp(w http.ResponseWriter, r *http.Request) error {
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	a, err := s.findAPIApp(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.store.DeleteWrikeAPIApp(r.Context(), a.ID); err != nil {
		return fmt.Errorf("API app %q: %w", a.ID, err)
	}
	s.mu.Lock()
	s.apps = slices.DeleteFunc(s.apps, func(x store.WrikeAPIApp) bool { return x.ID == a.ID })
	delete(s.appsByToken, toHash(a.TokenHash))
	s.mu.Unlock()
	writeData(w, http.StatusOK, "apiApps", []wrikeapi.APIApp{})
	return nil
}
