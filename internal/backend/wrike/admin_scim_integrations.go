package wrike

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
)

// integration returns a provider's integration; a provider never configured
// is a disabled integration with the default user type.
func (s *Server) integration(provider string) (store.WrikeSCIMIntegration, bool) {
	i := slices.Index(identityProviders, provider)
	if i < 0 {
		return store.WrikeSCIMIntegration{}, false
	}
	provider = identityProviders[i] // the constant, not a slice of the request
	s.mu.RLock()
	in, ok := s.integrations[provider]
	s.mu.RUnlock()
	if !ok {
		in = store.WrikeSCIMIntegration{Provider: provider, DefaultUserType: defaultUserType, Updated: s.account.Created}
	}
	return in, true
}

func (s *Server) integrationAnswer(r *http.Request, in store.WrikeSCIMIntegration) wrikeapi.SCIMIntegration {
	return wrikeapi.SCIMIntegration{ID: in.Provider, IdentityProvider: in.Provider, Enabled: in.Enabled,
		DefaultUserType: in.DefaultUserType, SCIMURL: s.scimURL(r, in.Provider), UpdatedDate: formatDate(in.Updated)}
}

func unknownProvider(p string) error {
	return fmt.Errorf("%w: identity provider %q (known: %s)", store.ErrNotFound, p, strings.Join(identityProviders, ", "))
}

func (s *Server) listIntegrations(w http.ResponseWriter, r *http.Request) error {
	out := make([]wrikeapi.SCIMIntegration, 0, len(identityProviders))
	for _, p := range identityProviders {
		in, _ := s.integration(p)
		out = append(out, s.integrationAnswer(r, in))
	}
	writeData(w, http.StatusOK, "scimIntegrations", out)
	return nil
}

func (s *Server) getIntegration(w http.ResponseWriter, r *http.Request) error {
	in, ok := s.integration(r.PathValue("provider"))
	if !ok {
		return unknownProvider(r.PathValue("provider"))
	}
	writeData(w, http.StatusOK, "scimIntegrations", []wrikeapi.SCIMIntegration{s.integrationAnswer(r, in)})
	return nil
}

func (s *Server) updateIntegration(w http.ResponseWriter, r *http.Request) error {
	provider := r.PathValue("provider")
	if _, ok := s.integration(provider); !ok {
		return unknownProvider(provider)
	}
	p, err := readParams(w, r, "enabled", "defaultUserType")
	if err != nil {
		return err
	}
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	in, _ := s.integration(provider)
	if enabled, ok, err := p.boolean("enabled"); err != nil {
		return err
	} else if ok {
		in.Enabled = enabled
	}
	if ut, ok, err := p.str("defaultUserType"); err != nil {
		return err
	} else if ok {
		canon, valid := canonicalUserType(ut)
		if !valid {
			return fmt.Errorf("%w: defaultUserType %q must be one of %s", errInvalidParameter, ut, strings.Join(userTypes, ", "))
		}
		in.DefaultUserType = canon
	}
	in.Updated = s.now().UTC()
	if err := s.store.PutWrikeSCIMIntegration(r.Context(), in); err != nil {
		return fmt.Errorf("SCIM integration %q: %w", provider, err)
	}
	s.mu.Lock()
	s.integrations[provider] = in
	s.mu.Unlock()
	writeData(w, http.StatusOK, "scimIntegrations", []wrikeapi.SCIMIntegration{s.integrationAnswer(r, in)})
	return nil
}

// canonicalUserType matches a user type case-insensitively.
func canonicalUserType(t string) (string, bool) {
	for _, u := range userTypes {
		if strings.EqualFold(u, t) {
			return u, true
		}
	}
	return "", false
}
