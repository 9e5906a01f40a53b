package engine

import (
	"testing"
)

// The page allocator hands out zeroed memory of the size asked, reuses
// what was freed, and keeps the contents across a Reallocate.
func TestPageAllocator(t *testing.T) {
	a := newPageAllocator()
	for _, size := range []int{0, 1, 100, 4095, 4096, 4097, 16 << 10, 1 << 20, 20 << 20} {
		b := a.Allocate(size)
		if len(b) != size {
			t.Fatalf("Allocate(%d): len %d", size, len(b))
		}
		for i := range b {
			b[i] = 0xff
		}
		a.Free(b)
		c := a.Allocate(size)
		for i, v := range c {
			if v != 0 {
				t.Fatalf("Allocate(%d) after a Free: byte %d is %x", size, i, v)
			}
		}
		if size >= 4096 && size <= 16<<20 && &b[0] != &c[0] {
			t.Errorf("Allocate(%d) after a Free: a new array", size)
		}
		for i := range c {
			c[i] = byte(i)
		}
		d := a.Reallocate(2*size+1, c)
		if len(d) != 2*size+1 {
			t.Fatalf("Reallocate(%d): len %d", 2*size+1, len(d))
		}
		for i := range size {
			if d[i] != byte(i) {
				t.Fatalf("Reallocate(%d): byte %d is %x, want %x", 2*size+1, i, d[i], byte(i))
			}
		}
		a.Free(d)
	}
}
