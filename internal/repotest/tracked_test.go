package repotest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestNoBuildOutputIsTracked: no file the repository tracks is a compiled
// program (ELF, Mach-O or PE): build output belongs in bin/ or dist/, which
// are ignored, and a binary committed once stays in every clone's history.
func TestNoBuildOutputIsTracked(t *testing.T) {
	root := repoRoot(t)
	out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git work tree (%v): nothing to check", err)
	}
	magics := [][]byte{
		{0x7f, 'E', 'L', 'F'},    // ELF
		{0xcf, 0xfa, 0xed, 0xfe}, // Mach-O 64-bit
		{0xce, 0xfa, 0xed, 0xfe}, // Mach-O 32-bit
		{0xca, 0xfe, 0xba, 0xbe}, // Mach-O universal
		{'M', 'Z'},               // PE
	}
	files := bytes.Split(bytes.TrimSuffix(out, []byte{0}), []byte{0})
	for _, name := range files {
		f, err := os.Open(filepath.Join(root, string(name)))
		if err != nil {
			continue // deleted in the work tree, or a submodule
		}
		head := make([]byte, 4)
		n, _ := f.Read(head)
		_ = f.Close()
		for _, m := range magics {
			if n >= len(m) && bytes.Equal(head[:len(m)], m) {
				t.Errorf("%s is a compiled program; build it into bin/ instead of committing it", name)
			}
		}
	}
	if len(files) < 100 {
		t.Fatalf("git ls-files listed %d files: not this repository?", len(files))
	}
}
