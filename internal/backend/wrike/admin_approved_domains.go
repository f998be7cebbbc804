package wrike

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
)

func toApprovedDomain(d store.WrikeApprovedDomain) wrikeapi.ApprovedDomain {
	unicode := d.Domain
	if c, err := mailaddr.ParseDomain(d.Domain); err == nil {
		unicode = c.Unicode
	}
	return wrikeapi.ApprovedDomain{ID: d.ID, Domain: d.Domain, UnicodeDomain: unicode, CreatedDate: formatDate(d.Created)}
}

func (s *Server) listDomains(w http.ResponseWriter, _ *http.Request) error {
	s.mu.RLock()
	out := make([]wrikeapi.ApprovedDomain, 0, len(s.domains))
	for _, d := range s.domains {
		out = append(out, toApprovedDomain(d))
	}
	s.mu.RUnlock()
	writeData(w, http.StatusOK, "approvedDomains", out)
	return nil
}

func (s *Server) createDomain(w http.ResponseWriter, r *http.Request) error {
	p, err := readParams(w, r, "domain")
	if err != nil {
		return err
	}
	domain, ok, err := p.str("domain")
	if err != nil {
		return err
	}
	if !ok || strings.TrimSpace(domain) == "" {
		return fmt.Errorf("%w: domain is required", errParameterRequired)
	}
	canon, err := domainParam(strings.TrimSpace(domain))
	if err != nil {
		return err
	}
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	if _, found := s.findDomain(canon.ASCII); found {
		return fmt.Errorf("%w: domain %q is already approved", store.ErrConflict, canon.ASCII)
	}
	d := store.WrikeApprovedDomain{ID: s.newID(), Domain: canon.ASCII, Created: s.now().UTC()}
	if err := s.store.CreateWrikeApprovedDomain(r.Context(), d); err != nil {
		return fmt.Errorf("approved domain %q: %w", canon.ASCII, err)
	}
	s.mu.Lock()
	s.domains = append(s.domains, d)
	s.mu.Unlock()
	writeData(w, http.StatusOK, "approvedDomains", []wrikeapi.ApprovedDomain{toApprovedDomain(d)})
	return nil
}

// domainParam reads a domain parameter in canonical form.
func domainParam(v string) (mailaddr.Domain, error) {
	d, err := mailaddr.ParseDomain(v)
	if err != nil {
		return d, fmt.Errorf("%w: domain %w", errInvalidParameter, err)
	}
	return d, nil
}

// findDomain finds an approved domain by id or by name in any form that
// canonicalises to it (letter case, U-labels or A-labels).
func (s *Server) findDomain(idOrDomain string) (store.WrikeApprovedDomain, bool) {
	name := idOrDomain
	if c, err := mailaddr.ParseDomain(idOrDomain); err == nil {
		name = c.ASCII
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, d := range s.domains {
		if d.ID == idOrDomain || d.Domain == name {
			return d, true
		}
	}
	return store.WrikeApprovedDomain{}, false
}

// domainApproved reports whether a canonical domain is approved.
func (s *Server) domainApproved(domain string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, d := range s.domains {
		if d.Domain == domain {
			return true
		}
	}
	return false
}

func (s *Server) getDomain(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("idOrDomain")
	d, ok := s.findDomain(key)
	if !ok {
		return fmt.Errorf("%w: approved domain %q", store.ErrNotFound, key)
	}
	writeData(w, http.StatusOK, "approvedDomains", []wrikeapi.ApprovedDomain{toApprovedDomain(d)})
	return nil
}

func (s *Server) deleteDomain(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("idOrDomain")
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	d, ok := s.findDomain(key)
	if !ok {
		return fmt.Errorf("%w: approved domain %q", store.ErrNotFound, key)
	}
	if err := s.store.DeleteWrikeApprovedDomain(r.Context(), d.ID); err != nil {
		return fmt.Errorf("approved domain %q: %w", key, err)
	}
	s.mu.Lock()
	s.domains = slices.DeleteFunc(s.domains, func(x store.WrikeApprovedDomain) bool { return x.ID == d.ID })
	s.mu.Unlock()
	writeData(w, http.StatusOK, "approvedDomains", []wrikeapi.ApprovedDomain{})
	return nil
}
