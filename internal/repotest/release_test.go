package repotest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the module root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func loadConfig(t *testing.T) *GoReleaser {
	t.Helper()
	cfg, err := LoadGoReleaser(filepath.Join(repoRoot(t), ".goreleaser.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// The registry downloads terraform-provider-wrike_{version}_{os}_{arch}.zip, checks it against
// the SHA256SUMS file, verifies that file's detached signature, and reads the protocol versions
// from the _manifest.json the checksums cover.
func TestGoReleaserConfigHasTheRegistryShape(t *testing.T) {
	cfg := loadConfig(t)
	const project = "terraform-provider-wrike"
	const manifestName = "{{ .ProjectName }}_{{ .Version }}_manifest.json"

	if cfg.Version != 2 {
		t.Errorf("version = %d, want 2 (goreleaser v2 configuration)", cfg.Version)
	}
	if cfg.ProjectName != project {
		t.Errorf("project_name = %q, want %q", cfg.ProjectName, project)
	}
	if len(cfg.Builds) != 1 {
		t.Fatalf("builds: %d, want exactly the provider build", len(cfg.Builds))
	}
	b := cfg.Builds[0]
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("build env %v lacks CGO_ENABLED=0", b.Env)
	}
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("build flags %v lack -trimpath", b.Flags)
	}
	if ld := strings.Join(b.Ldflags, " "); !strings.Contains(ld, "-X main.version={{ .Version }}") {
		t.Errorf("ldflags %q do not set main.version", ld)
	}
	if b.Binary != "{{ .ProjectName }}_v{{ .Version }}" {
		t.Errorf("binary = %q, want the registry's {{ .ProjectName }}_v{{ .Version }}", b.Binary)
	}
	targets := b.Targets()
	for _, want := range []Target{
		{"linux", "amd64"}, {"linux", "arm64"}, {"linux", "386"}, {"linux", "arm"},
		{"darwin", "amd64"}, {"darwin", "arm64"},
		{"windows", "amd64"}, {"windows", "arm64"}, {"windows", "386"},
		{"freebsd", "amd64"}, {"freebsd", "arm64"}, {"freebsd", "386"}, {"freebsd", "arm"},
	} {
		if !slices.Contains(targets, want) {
			t.Errorf("build matrix lacks %s", want)
		}
	}

	if len(cfg.Archives) != 1 {
		t.Fatalf("archives: %d, want 1", len(cfg.Archives))
	}
	if a := cfg.Archives[0]; !slices.Equal(a.Formats, []string{"zip"}) || a.NameTemplate != "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}" {
		t.Errorf("archive = %+v, want zip named {{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}", a)
	}

	if cfg.Checksum.NameTemplate != "{{ .ProjectName }}_{{ .Version }}_SHA256SUMS" || cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum = %+v, want sha256 named {{ .ProjectName }}_{{ .Version }}_SHA256SUMS", cfg.Checksum)
	}
	// goreleaser rewrites the checksum file after signing it; unless it is limited to the zips,
	// the signature's own checksum is appended and the signature no longer verifies.
	if !slices.Equal(cfg.Checksum.IDs, []string{cfg.Archives[0].ID}) || cfg.Archives[0].ID == "" || (len(cfg.Signs) > 0 && cfg.Signs[0].ID == cfg.Archives[0].ID) {
		t.Errorf("checksum ids %v must name exactly the archive id %q (and not the signature's)", cfg.Checksum.IDs, cfg.Archives[0].ID)
	}
	manifest := ExtraFile{Glob: "terraform-registry-manifest.json", NameTemplate: manifestName}
	if !slices.Contains(cfg.Checksum.ExtraFiles, manifest) {
		t.Errorf("checksum extra_files %+v do not cover the registry manifest as %s", cfg.Checksum.ExtraFiles, manifestName)
	}
	if !slices.Contains(cfg.Release.ExtraFiles, manifest) {
		t.Errorf("release extra_files %+v do not publish the registry manifest as %s", cfg.Release.ExtraFiles, manifestName)
	}
	if !cfg.Release.Draft {
		t.Error("release is not a draft: a release must be reviewed before the registry picks it up")
	}

	if len(cfg.Signs) != 1 || cfg.Signs[0].Artifacts != "checksum" || !slices.Contains(cfg.Signs[0].Args, "--detach-sign") {
		t.Errorf("signs = %+v, want one detached signature of the checksum file", cfg.Signs)
	}
}

func TestEveryReleaseTargetIsAGoPort(t *testing.T) {
	out, err := exec.Command("go", "tool", "dist", "list").Output()
	if err != nil {
		t.Fatalf("go tool dist list: %v", err)
	}
	ports := strings.Fields(string(out))
	for _, target := range loadConfig(t).Builds[0].Targets() {
		if !slices.Contains(ports, target.String()) {
			t.Errorf("release target %s is not a Go port: the release would fail", target)
		}
	}
}

func TestRegistryManifestDeclaresProtocol6(t *testing.T) {
	m, err := LoadRegistryManifest(filepath.Join(repoRoot(t), "terraform-registry-manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != 1 || !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
		t.Errorf("manifest = %+v, want version 1 with protocol_versions [6.0] (terraform-plugin-framework serves protocol 6)", m)
	}
}

func TestChangelogHasAReleaseSection(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	var first string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "## ") {
			first = line
			break
		}
	}
	if first == "" {
		t.Fatal("CHANGELOG.md has no release section (## x.y.z)")
	}
	if !strings.Contains(string(b), "FEATURES:") {
		t.Error("CHANGELOG.md has no FEATURES: list")
	}
}

// The release build compiled for this machine the way goreleaser does (same env, flags and
// ldflags): it builds offline and the version lands in the binary.
func TestReleaseBuildForThisPlatform(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the provider")
	}
	b := loadConfig(t).Builds[0]
	host := Target{Goos: runtime.GOOS, Goarch: runtime.GOARCH}
	if !slices.Contains(b.Targets(), host) {
		t.Skipf("%s is not a release target", host)
	}
	const version = "9.8.7-releasetest"
	ldflags := strings.ReplaceAll(strings.Join(b.Ldflags, " "), "{{ .Version }}", version)
	binary := filepath.Join(t.TempDir(), strings.ReplaceAll(strings.ReplaceAll(b.Binary, "{{ .ProjectName }}", "terraform-provider-wrike"), "{{ .Version }}", version))

	args := append([]string{"build"}, b.Flags...)
	args = append(args, "-ldflags", ldflags, "-o", binary, b.Main)
	cmd := exec.Command("go", args...)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), b.Env...)
	cmd.Env = append(cmd.Env, "GOOS="+host.Goos, "GOARCH="+host.Goarch, "GOFLAGS=-mod=readonly", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	bin, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(bin, []byte(version)) {
		t.Errorf("the binary does not carry the version %s set by -X main.version", version)
	}
}
