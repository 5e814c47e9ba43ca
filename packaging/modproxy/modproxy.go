package modproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// Write writes into dir a module proxy (the layout GOPROXY=file://DIR
// reads) that holds one version of the module whose root directory is
// root: MODULE/@v/list, VERSION.info, VERSION.mod and VERSION.zip. The zip
// holds what a proxy would take from a commit: the files git tracks, plus
// untracked ones it does not ignore (so work not yet committed is in it),
// as they are now; outside git, every file under root. Nested modules,
// vendor directories and irregular files are left out, as
// golang.org/x/mod/zip does for every module zip.
func Write(dir, root, version string) (module.Version, error) {
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return module.Version{}, fmt.Errorf("module proxy: %w", err)
	}
	m := module.Version{Path: modfile.ModulePath(gomod), Version: version}
	if err := module.Check(m.Path, m.Version); err != nil {
		return m, fmt.Errorf("module proxy: %w", err)
	}
	esc, err := module.EscapePath(m.Path)
	if err != nil {
		return m, fmt.Errorf("module proxy: %w", err)
	}
	vdir := filepath.Join(dir, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return m, fmt.Errorf("module proxy: %w", err)
	}
	var zipped bytes.Buffer
	if files, err := gitFiles(root); err == nil {
		err = zip.Create(&zipped, m, files)
		if err != nil {
			return m, fmt.Errorf("module proxy: zip of %s: %w", m, err)
		}
	} else if err := zip.CreateFromDir(&zipped, m, root); err != nil {
		return m, fmt.Errorf("module proxy: zip of %s: %w", m, err)
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return m, err
	}
	for name, data := range map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": info,
		version + ".mod":  gomod,
		version + ".zip":  zipped.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(vdir, name), data, 0o644); err != nil {
			return m, fmt.Errorf("module proxy: %w", err)
		}
	}
	return m, nil
}

// gitFiles lists the files of the git work tree at root that git tracks
// or would track (untracked but not ignored) and that exist now.
func gitFiles(root string) ([]zip.File, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %w", root, err)
	}
	var files []zip.File
	for name := range strings.SplitSeq(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		p := filepath.Join(root, filepath.FromSlash(name))
		info, err := os.Lstat(p)
		if os.IsNotExist(err) {
			continue // deleted, not yet committed
		}
		if err != nil {
			return nil, err
		}
		files = append(files, treeFile{name: name, path: p, info: info})
	}
	return files, nil
}

// treeFile is a file of the work tree, as golang.org/x/mod/zip reads it.
type treeFile struct {
	name string // slash-separated, relative to the module root
	path string
	info os.FileInfo
}

func (f treeFile) Path() string                 { return f.name }
func (f treeFile) Lstat() (os.FileInfo, error)  { return f.info, nil }
func (f treeFile) Open() (io.ReadCloser, error) { return os.Open(f.path) }
