package warehouse

import (
	"bytes"
	"context"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

// MemFS is an in-memory FS for fast tests. It keeps the same semantics as
// the real ones, including that a file appears only when its writer closes.
type MemFS struct {
	mu    sync.Mutex
	nodes map[string]*memNode // "" is the root
	now   func() time.Time
}

type memNode struct {
	dir     bool
	data    []byte
	modTime time.Time
}

// NewMemFS returns an empty in-memory filesystem.
func NewMemFS() *MemFS {
	return &MemFS{nodes: map[string]*memNode{"": {dir: true, modTime: time.Unix(0, 0)}}, now: time.Now}
}

func (m *MemFS) String() string { return "mem://" }

func pathErr(op, name string, err error) error { return &fs.PathError{Op: op, Path: name, Err: err} }

// mkdirAllLocked creates p and its parents; m.mu is held.
func (m *MemFS) mkdirAllLocked(op, name, p string) error {
	if p == "" {
		return nil
	}
	if n, ok := m.nodes[p]; ok {
		if !n.dir {
			return pathErr(op, name, ErrNotDir)
		}
		return nil
	}
	if err := m.mkdirAllLocked(op, name, parentOf(p)); err != nil {
		return err
	}
	m.nodes[p] = &memNode{dir: true, modTime: m.now()}
	return nil
}

func parentOf(p string) string {
	d := path.Dir(p)
	if d == "." || d == "/" {
		return ""
	}
	return d
}

func (m *MemFS) Create(ctx context.Context, name string, _ CreateOptions) (Writer, error) {
	p, err := cleanPath("create", name)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.nodes[p]; ok || p == "" {
		return nil, pathErr("create", name, fs.ErrExist)
	}
	if err := m.mkdirAllLocked("create", name, parentOf(p)); err != nil {
		return nil, err
	}
	// Like local disks and HDFS, the name is taken at once and the file
	// grows as it is written.
	n := &memNode{modTime: m.now()}
	m.nodes[p] = n
	return &memWriter{m: m, n: n, name: name}, nil
}

type memWriter struct {
	m      *MemFS
	n      *memNode
	name   string
	closed bool
}

func (w *memWriter) Write(b []byte) (int, error) {
	if w.closed {
		return 0, pathErr("write", w.name, fs.ErrClosed)
	}
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	w.n.data = append(w.n.data, b...)
	return len(b), nil
}

func (w *memWriter) Close() error {
	if w.closed {
		return pathErr("close", w.name, fs.ErrClosed)
	}
	w.closed = true
	return nil
}

func (m *MemFS) Open(ctx context.Context, name string) (File, error) {
	p, err := cleanPath("open", name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.nodes[p]
	switch {
	case !ok:
		return nil, pathErr("open", name, fs.ErrNotExist)
	case n.dir:
		return nil, pathErr("open", name, ErrIsDir)
	}
	return &memFile{Reader: bytes.NewReader(bytes.Clone(n.data))}, nil
}

type memFile struct{ *bytes.Reader }

func (f *memFile) Close() error { return nil }

type memInfo struct {
	name string
	n    *memNode
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return int64(len(i.n.data)) }
func (i memInfo) Mode() fs.FileMode {
	if i.n.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i memInfo) ModTime() time.Time { return i.n.modTime }
func (i memInfo) IsDir() bool        { return i.n.dir }
func (i memInfo) Sys() any           { return nil }

func (m *MemFS) Stat(ctx context.Context, name string) (fs.FileInfo, error) {
	p, err := cleanPath("stat", name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.nodes[p]
	if !ok {
		return nil, pathErr("stat", name, fs.ErrNotExist)
	}
	return memInfo{name: path.Base("/" + p), n: n}, nil
}

func (m *MemFS) ReadDir(ctx context.Context, name string) ([]fs.FileInfo, error) {
	p, err := cleanPath("readdir", name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.nodes[p]
	switch {
	case !ok:
		return nil, pathErr("readdir", name, fs.ErrNotExist)
	case !n.dir:
		return nil, pathErr("readdir", name, ErrNotDir)
	}
	var infos []fs.FileInfo
	for k, child := range m.nodes {
		if k != "" && parentOf(k) == p {
			infos = append(infos, memInfo{name: path.Base(k), n: child})
		}
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name() < infos[j].Name() })
	return infos, nil
}

func (m *MemFS) MkdirAll(ctx context.Context, name string) error {
	p, err := cleanPath("mkdir", name)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mkdirAllLocked("mkdir", name, p)
}

func (m *MemFS) Rename(ctx context.Context, oldname, newname string) error {
	op, err := cleanPath("rename", oldname)
	if err != nil {
		return err
	}
	np, err := cleanPath("rename", newname)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.nodes[op]; !ok || op == "" {
		return pathErr("rename", oldname, fs.ErrNotExist)
	}
	if _, ok := m.nodes[np]; ok || np == "" {
		return pathErr("rename", newname, fs.ErrExist)
	}
	if np == op || strings.HasPrefix(np, op+"/") {
		return pathErr("rename", newname, ErrInvalidPath)
	}
	parent, ok := m.nodes[parentOf(np)]
	switch {
	case !ok:
		return pathErr("rename", newname, fs.ErrNotExist)
	case !parent.dir:
		return pathErr("rename", newname, ErrNotDir)
	}
	for k, n := range m.nodes {
		if k == op || strings.HasPrefix(k, op+"/") {
			delete(m.nodes, k)
			m.nodes[np+strings.TrimPrefix(k, op)] = n
		}
	}
	return nil
}

func (m *MemFS) Remove(ctx context.Context, name string) error {
	p, err := cleanPath("remove", name)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if p == "" {
		return pathErr("remove", name, ErrInvalidPath)
	}
	if _, ok := m.nodes[p]; !ok {
		return pathErr("remove", name, fs.ErrNotExist)
	}
	for k := range m.nodes {
		if strings.HasPrefix(k, p+"/") {
			return pathErr("remove", name, ErrNotEmpty)
		}
	}
	delete(m.nodes, p)
	return nil
}

func (m *MemFS) RemoveAll(ctx context.Context, name string) error {
	p, err := cleanPath("removeall", name)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if p == "" {
		return pathErr("removeall", name, ErrInvalidPath)
	}
	for k := range m.nodes {
		if k == p || strings.HasPrefix(k, p+"/") {
			delete(m.nodes, k)
		}
	}
	return nil
}
