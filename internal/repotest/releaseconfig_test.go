// Package repotest holds tests of what the repository promises its users: the release
// configuration (.goreleaser.yml and terraform-registry-manifest.json, held to the shape the
// Terraform Registry expects, with its build matrix reproduced by plain `go build` when goreleaser
// is not at hand), the demo, the docs and guides, the examples and the make targets. It has no
// code outside its tests.
package repotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"gopkg.in/yaml.v3"
)

// GoReleaser is the subset of goreleaser's configuration this project uses; a key outside it is
// an error, so a misspelt key fails the test instead of being ignored by the release.
type GoReleaser struct {
	Version     int     `yaml:"version"`
	ProjectName string  `yaml:"project_name"`
	Builds      []Build `yaml:"builds"`
	Archives    []struct {
		ID           string   `yaml:"id"`
		Formats      []string `yaml:"formats"`
		NameTemplate string   `yaml:"name_template"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string      `yaml:"name_template"`
		IDs          []string    `yaml:"ids"`
		Algorithm    string      `yaml:"algorithm"`
		ExtraFiles   []ExtraFile `yaml:"extra_files"`
	} `yaml:"checksum"`
	Signs []struct {
		ID        string   `yaml:"id"`
		Artifacts string   `yaml:"artifacts"`
		Args      []string `yaml:"args"`
	} `yaml:"signs"`
	Release struct {
		GitHub struct {
			Owner string `yaml:"owner"`
			Name  string `yaml:"name"`
		} `yaml:"github"`
		Draft      bool        `yaml:"draft"`
		ExtraFiles []ExtraFile `yaml:"extra_files"`
	} `yaml:"release"`
	Changelog struct {
		Disable bool `yaml:"disable"`
	} `yaml:"changelog"`
}

// Build is one goreleaser build: how the provider binary is compiled and for which targets.
type Build struct {
	ID   string   `yaml:"id"`
	Main string   `yaml:"main"`
	Env  []string `yaml:"env"`
	// ModTimestamp makes archives reproducible from the commit.
	ModTimestamp string   `yaml:"mod_timestamp"`
	Flags        []string `yaml:"flags"`
	Ldflags      []string `yaml:"ldflags"`
	Goos         []string `yaml:"goos"`
	Goarch       []string `yaml:"goarch"`
	Ignore       []Target `yaml:"ignore"`
	Binary       string   `yaml:"binary"`
}

// ExtraFile is a file added to the checksums or the release under another name.
type ExtraFile struct {
	Glob         string `yaml:"glob"`
	NameTemplate string `yaml:"name_template"`
}

// Target is one GOOS/GOARCH pair.
type Target struct {
	Goos   string `yaml:"goos"`
	Goarch string `yaml:"goarch"`
}

func (t Target) String() string { return t.Goos + "/" + t.Goarch }

// LoadGoReleaser reads a goreleaser configuration.
func LoadGoReleaser(path string) (*GoReleaser, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the caller names the repository's own file
	if err != nil {
		return nil, err
	}
	var cfg GoReleaser
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &cfg, nil
}

// Targets is the build matrix: every goos × goarch pair that is not ignored, in file order.
func (b Build) Targets() []Target {
	var out []Target
	for _, goos := range b.Goos {
		for _, goarch := range b.Goarch {
			t := Target{Goos: goos, Goarch: goarch}
			if !slices.Contains(b.Ignore, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// RegistryManifest is terraform-registry-manifest.json.
type RegistryManifest struct {
	Version  int `json:"version"`
	Metadata struct {
		ProtocolVersions []string `json:"protocol_versions"`
	} `json:"metadata"`
}

// LoadRegistryManifest reads terraform-registry-manifest.json.
func LoadRegistryManifest(path string) (*RegistryManifest, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the caller names the repository's own file
	if err != nil {
		return nil, err
	}
	var m RegistryManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}
