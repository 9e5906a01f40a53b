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

// MemFS is an in-memory FS for fast tests. It keeps the semantics of the
// real ones: a created file takes its name at once and grows as it is
// written, Rename never replaces, and errors carry the same sentinels.
type MemFS struct {
	mu    sync.Mutex
	nodes map[string]*memNode // by clean path; "" is the root
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

// path cleans name and fails early on a done ctx, as the real FSes do.
func (m *MemFS) path(ctx context.Context, op, name string) (string, error) {
	p, err := cleanPath(op, name)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", pathErr(op, name, err)
	}
	return p, nil
}

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

func (m *MemFS) Create(ctx context.Context, name string, opts CreateOptions) (Writer, error) {
	p, err := m.path(ctx, "create", name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.nodes[p]; ok || p == "" {
		switch {
		case p == "" || old.dir && opts.Overwrite:
			return nil, pathErr("create", name, ErrIsDir)
		case !opts.Overwrite:
			return nil, pathErr("create", name, fs.ErrExist)
		}
	}
	if err := m.mkdirAllLocked("create", name, parentOf(p)); err != nil {
		return nil, err
	}
	n := &memNode{modTime: m.now()}
	m.nodes[p] = n
	return &memWriter{m: m, n: n, name: name}, nil
}

type memWriter struct {
	m      *MemFS
	n      *memNode
	name   string
	closed bool // guarded by m.mu
}

func (w *memWriter) Write(b []byte) (int, error) {
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	if w.closed {
		return 0, pathErr("write", w.name, fs.ErrClosed)
	}
	w.n.data = append(w.n.data, b...)
	return len(b), nil
}

func (w *memWriter) Close() error {
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	if w.closed {
		return pathErr("close", w.name, fs.ErrClosed)
	}
	w.closed = true
	return nil
}

func (m *MemFS) Open(ctx context.Context, name string) (File, error) {
	p, err := m.path(ctx, "open", name)
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
	// A snapshot: the reader sees the file as it was when opened.
	return &memFile{Reader: bytes.NewReader(bytes.Clone(n.data))}, nil
}

type memFile struct{ *bytes.Reader }

func (f *memFile) Close() error { return nil }

type memInfo struct {
	name string
	dir  bool
	size int64
	mod  time.Time
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return i.size }
func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i memInfo) ModTime() time.Time { return i.mod }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }

// info copies what it needs: a FileInfo must not change under its holder.
func info(p string, n *memNode) memInfo {
	return memInfo{name: path.Base("/" + p), dir: n.dir, size: int64(len(n.data)), mod: n.modTime}
}

func (m *MemFS) Stat(ctx context.Context, name string) (fs.FileInfo, error) {
	p, err := m.path(ctx, "stat", name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.nodes[p]
	if !ok {
		return nil, pathErr("stat", name, fs.ErrNotExist)
	}
	return info(p, n), nil
}

func (m *MemFS) ReadDir(ctx context.Context, name string) ([]fs.FileInfo, error) {
	p, err := m.path(ctx, "readdir", name)
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
			infos = append(infos, info(k, child))
		}
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name() < infos[j].Name() })
	return infos, nil
}

func (m *MemFS) MkdirAll(ctx context.Context, name string) error {
	p, err := m.path(ctx, "mkdir", name)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mkdirAllLocked("mkdir", name, p)
}

func (m *MemFS) Rename(ctx context.Context, oldname, newname string) error {
	op, np, err := m.pair(ctx, "rename", oldname, newname)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.nodes[op]; !ok {
		return pathErr("rename", oldname, fs.ErrNotExist)
	}
	if _, ok := m.nodes[np]; ok {
		return pathErr("rename", newname, fs.ErrExist)
	}
	parent, ok := m.nodes[parentOf(np)]
	switch {
	case !ok:
		return pathErr("rename", newname, fs.ErrNotExist)
	case !parent.dir:
		return pathErr("rename", newname, ErrNotDir)
	}
	m.moveLocked(op, np)
	return nil
}

// Exchange swaps two existing entries in one step, like LocalFS.
func (m *MemFS) Exchange(ctx context.Context, a, b string) error {
	ap, bp, err := m.pair(ctx, "exchange", a, b)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range []struct{ p, name string }{{ap, a}, {bp, b}} {
		if _, ok := m.nodes[e.p]; !ok {
			return pathErr("exchange", e.name, fs.ErrNotExist)
		}
	}
	const swap = "\x00swap" // no clean path starts with NUL
	m.moveLocked(ap, swap)
	m.moveLocked(bp, ap)
	m.moveLocked(swap, bp)
	return nil
}

func (m *MemFS) pair(ctx context.Context, op, a, b string) (string, string, error) {
	ap, err := m.path(ctx, op, a)
	if err != nil {
		return "", "", err
	}
	bp, err := m.path(ctx, op, b)
	if err != nil {
		return "", "", err
	}
	return ap, bp, checkRename(op, ap, bp, a, b)
}

// moveLocked moves the tree at from to to; m.mu is held.
func (m *MemFS) moveLocked(from, to string) {
	moved := map[string]*memNode{}
	for k, n := range m.nodes {
		if k == from || strings.HasPrefix(k, from+"/") {
			moved[to+strings.TrimPrefix(k, from)] = n
			delete(m.nodes, k)
		}
	}
	for k, n := range moved {
		m.nodes[k] = n
	}
}

func (m *MemFS) Remove(ctx context.Context, name string) error {
	p, err := m.path(ctx, "remove", name)
	if err != nil {
		return err
	}
	if p == "" {
		return pathErr("remove", name, errInvalid("cannot remove the root"))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
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
	p, err := m.path(ctx, "removeall", name)
	if err != nil {
		return err
	}
	if p == "" {
		return pathErr("removeall", name, errInvalid("cannot remove the root"))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.nodes {
		if k == p || strings.HasPrefix(k, p+"/") {
			delete(m.nodes, k)
		}
	}
	return nil
}
