package fstest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"strconv"
	"testing"

	"github.com/hetl/hetl/warehouse"
)

func testCreateReadBack(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	want := []byte("id,name\n1,ada\n2,grace\n")
	write(t, ctx, fsys, "a/b/c.csv", want) // parents are created
	if got := read(t, ctx, fsys, "a/b/c.csv"); !bytes.Equal(got, want) {
		t.Fatalf("read back %q, want %q", got, want)
	}
	f, err := fsys.Open(ctx, "a/b/c.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != int64(len(want)) {
		t.Errorf("Size() = %d, want %d", f.Size(), len(want))
	}
	buf := make([]byte, 5)
	if n, err := f.ReadAt(buf, 8); err != nil || string(buf[:n]) != "1,ada" {
		t.Errorf("ReadAt(8) = %q, %v", buf[:n], err)
	}
	// Past the end: fewer bytes and io.EOF, as io.ReaderAt requires.
	if n, err := f.ReadAt(buf, int64(len(want))-2); n != 2 || err != io.EOF {
		t.Errorf("ReadAt across the end = %d, %v; want 2, io.EOF", n, err)
	}
	if pos, err := f.Seek(-6, io.SeekEnd); err != nil || pos != int64(len(want))-6 {
		t.Errorf("Seek = %d, %v", pos, err)
	}
	tail, _ := io.ReadAll(f)
	if string(tail) != "grace\n" {
		t.Errorf("read after seek = %q", tail)
	}
	info, err := fsys.Stat(ctx, "a/b/c.csv")
	if err != nil || info.Size() != int64(len(want)) || info.IsDir() || info.Name() != "c.csv" {
		t.Errorf("stat = %v, %v", info, err)
	}
}

func testEmptyFile(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "_SUCCESS", nil)
	info, err := fsys.Stat(ctx, "_SUCCESS")
	if err != nil || info.Size() != 0 || info.IsDir() {
		t.Fatalf("stat = %v, %v", info, err)
	}
	if got := read(t, ctx, fsys, "_SUCCESS"); len(got) != 0 {
		t.Errorf("read %d bytes from an empty file", len(got))
	}
	// A writer closed without any Write is an empty file too.
	w, err := fsys.Create(ctx, "empty2", warehouse.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close without writes: %v", err)
	}
	wantContent(t, ctx, fsys, "empty2", "")
}

// pattern is deterministic data that shows misplaced bytes.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>12)
	}
	return b
}

// writeChunks writes data in uneven chunks, crossing HDFS packets (64 KiB)
// and the mini cluster's 1 MiB blocks at odd offsets.
func writeChunks(t *testing.T, ctx context.Context, fsys warehouse.FS, name string, data []byte, opts warehouse.CreateOptions) {
	t.Helper()
	w, err := fsys.Create(ctx, name, opts)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(data); {
		n := min(len(data)-off, 65536+off%4099)
		if _, err := w.Write(data[off : off+n]); err != nil {
			t.Fatalf("write at %d: %v", off, err)
		}
		off += n
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

func checkLarge(t *testing.T, ctx context.Context, fsys warehouse.FS, name string, want []byte) {
	t.Helper()
	if got := read(t, ctx, fsys, name); !bytes.Equal(got, want) {
		t.Fatalf("%s: read back %d bytes, want %d identical", name, len(got), len(want))
	}
	info, err := fsys.Stat(ctx, name)
	if err != nil || info.Size() != int64(len(want)) {
		t.Fatalf("stat %s = %v, %v", name, info, err)
	}
	f, err := fsys.Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A read that straddles the first 1 MiB boundary.
	buf := make([]byte, 100)
	off := int64(1<<20 - 37)
	if _, err := f.ReadAt(buf, off); err != nil || !bytes.Equal(buf, want[off:off+100]) {
		t.Errorf("%s: ReadAt(%d) across a block boundary wrong (err %v)", name, off, err)
	}
}

func testLargeFileHinted(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	want := pattern(5<<20 + 123)
	writeChunks(t, ctx, fsys, "big.bin", want, warehouse.CreateOptions{SizeHint: int64(len(want))})
	checkLarge(t, ctx, fsys, "big.bin", want)
}

// Without a size hint an HDFS file spans several blocks: 5 MiB + 123 bytes
// ends inside a block, exactly 3 MiB ends on a boundary.
func testLargeFileUnhinted(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	for _, size := range []int{5<<20 + 123, 3 << 20} {
		want := pattern(size)
		name := "multi-" + strconv.Itoa(size) + ".bin"
		writeChunks(t, ctx, fsys, name, want, warehouse.CreateOptions{})
		checkLarge(t, ctx, fsys, name, want)
	}
}

func testCreateExisting(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "x", []byte("one"))
	_, err := fsys.Create(ctx, "x", warehouse.CreateOptions{})
	wantErr(t, "create over an existing file", err, fs.ErrExist)
	wantContent(t, ctx, fsys, "x", "one")
	mkdir(t, ctx, fsys, "d")
	_, err = fsys.Create(ctx, "d", warehouse.CreateOptions{})
	wantErr(t, "create over a directory", err, fs.ErrExist)
	_, err = fsys.Create(ctx, "x/under-a-file", warehouse.CreateOptions{})
	wantErr(t, "create below a file", err, warehouse.ErrNotDir)
}

func testCreateOverwrite(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "m/manifest.json", []byte(`{"rows":1000}`))
	writeOpts(t, ctx, fsys, "m/manifest.json", []byte(`{"rows":7}`), warehouse.CreateOptions{Overwrite: true})
	wantContent(t, ctx, fsys, "m/manifest.json", `{"rows":7}`)
	writeOpts(t, ctx, fsys, "m/new.json", []byte("n"), warehouse.CreateOptions{Overwrite: true})
	wantContent(t, ctx, fsys, "m/new.json", "n")
	_, err := fsys.Create(ctx, "m", warehouse.CreateOptions{Overwrite: true})
	wantErr(t, "overwrite a directory", err, warehouse.ErrIsDir)
}

func testWriteAfterClose(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	w, err := fsys.Create(ctx, "f", warehouse.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("y")); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("write after close: %v, want fs.ErrClosed", err)
	}
	if err := w.Close(); err == nil {
		t.Errorf("second close succeeded")
	}
	wantContent(t, ctx, fsys, "f", "x")
}

func testOpenDirectory(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	mkdir(t, ctx, fsys, "dir")
	_, err := fsys.Open(ctx, "dir")
	wantErr(t, "open a directory", err, warehouse.ErrIsDir)
	_, err = fsys.Open(ctx, "missing")
	wantErr(t, "open missing", err, fs.ErrNotExist)
}

func testCanceledContext(t *testing.T, _ context.Context, fsys warehouse.FS) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fsys.Create(ctx, "never", warehouse.CreateOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("create with a canceled ctx: %v", err)
	}
	if _, err := fsys.Stat(ctx, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("stat with a canceled ctx: %v", err)
	}
	if _, err := fsys.Stat(context.Background(), "never"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a canceled create left %q behind: %v", "never", err)
	}
}
