package sketch

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

const hllStdErr = 1.04 / 128 // 1.04/√(2^14)

func TestHLLAccuracy(t *testing.T) {
	for _, n := range []int{0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000} {
		h := NewHLL()
		for i := range n {
			h.AddString("user-" + strconv.Itoa(i))
			h.AddString("user-" + strconv.Itoa(i)) // repeats do not count
		}
		got := float64(h.Estimate())
		tol := math.Max(1, 3*hllStdErr*float64(n))
		if n <= 10 {
			tol = 0
		}
		if math.Abs(got-float64(n)) > tol {
			t.Errorf("n=%d: estimate %v, want within %v", n, got, tol)
		}
	}
}

// Over many random sets, the error stays unbiased and near the
// documented standard error, through the sparse, linear-counting-like
// and fully populated ranges.
func TestHLLErrorDistribution(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{500, 5000, 20_000, 50_000, 200_000} {
		const trials = 40
		var sum, sumSq float64
		for range trials {
			h := NewHLL()
			for range n {
				h.AddHash(r.Uint64())
			}
			d := (float64(h.Estimate()) - float64(n)) / float64(n)
			sum += d
			sumSq += d * d
		}
		bias, rse := sum/trials, math.Sqrt(sumSq/trials)
		if math.Abs(bias) > 3*hllStdErr/math.Sqrt(trials) || rse > 1.5*hllStdErr {
			t.Errorf("n=%d: bias %.5f, relative standard error %.5f", n, bias, rse)
		}
	}
}

// hllParts adds values to one whole sketch and to 4 partial sketches
// by a random partition.
func hllParts(r *rand.Rand, n int) (*HLL, []*HLL) {
	whole := NewHLL()
	parts := []*HLL{NewHLL(), NewHLL(), NewHLL(), NewHLL()}
	for range n {
		v := int64(r.IntN(2 * n)) // with repeats
		whole.AddInt64(v)
		parts[r.IntN(4)].AddInt64(v)
	}
	return whole, parts
}

func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

func mustMarshal(t testing.TB, m interface{ MarshalBinary() ([]byte, error) }) []byte {
	t.Helper()
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Merging the partial sketches of any partition, in any order, gives the
// bytes of the sketch of the whole input: across the sparse and dense
// representations too.
func TestHLLMergeIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 50, 3000, 100_000} {
		whole, parts := hllParts(r, n)
		want := mustMarshal(t, whole)
		for _, perm := range permutations(len(parts)) {
			m := NewHLL()
			for _, i := range perm {
				m.Merge(parts[i])
			}
			if got := mustMarshal(t, m); !bytes.Equal(got, want) {
				t.Fatalf("n=%d, order %v: merged sketch differs from the whole", n, perm)
			}
		}
		// A tree of merges, into non-empty sketches.
		a, b := cloneHLL(t, parts[0]), cloneHLL(t, parts[2])
		a.Merge(parts[1])
		b.Merge(parts[3])
		b.Merge(a)
		if !bytes.Equal(mustMarshal(t, b), want) || b.Estimate() != whole.Estimate() {
			t.Fatalf("n=%d: tree merge differs from the whole", n)
		}
	}
}

func cloneHLL(t *testing.T, h *HLL) *HLL {
	var c HLL
	if err := c.UnmarshalBinary(mustMarshal(t, h)); err != nil {
		t.Fatal(err)
	}
	return &c
}

func TestHLLRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 700, 2000, 5000, 1_000_000} {
		h := NewHLL()
		for range n {
			h.AddHash(r.Uint64())
		}
		b := mustMarshal(t, h)
		var back HLL
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if back.Estimate() != h.Estimate() || !bytes.Equal(mustMarshal(t, &back), b) {
			t.Fatalf("n=%d: round trip changed the sketch", n)
		}
		t.Logf("n=%d: %d bytes, estimate %d", n, len(b), h.Estimate())
	}
	if b := mustMarshal(t, NewHLL()); len(b) != 10 {
		t.Errorf("empty sketch: %d bytes", len(b))
	}
}

// reseal replaces the checksum after editing a serialized sketch.
func reseal(b []byte) []byte {
	b = bytes.Clone(b)
	binary.BigEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], castagnoli))
	return b
}

func TestHLLRejectsCorrupt(t *testing.T) {
	h := NewHLL()
	for i := range 300 {
		h.AddInt64(int64(i))
	}
	good := mustMarshal(t, h)
	dense := NewHLL()
	for i := range 100_000 {
		dense.AddInt64(int64(i))
	}
	goodDense := mustMarshal(t, dense)
	q, _ := NewQuantiles(0.01)
	q.Add(1)
	flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 0x10; return b }
	set := func(b []byte, i int, v byte) []byte { b = bytes.Clone(b); b[i] = v; return reseal(b) }

	cases := map[string]struct {
		in   []byte
		want string
	}{
		"empty":          {nil, "too short"},
		"truncated":      {good[:len(good)-1], "checksum"},
		"flipped bit":    {flip(good, len(good)/2), "checksum"},
		"flipped dense":  {flip(goodDense, 1000), "checksum"},
		"version 3":      {set(good, 2, 3), "version 3"},
		"version 1":      {append([]byte{1}, make([]byte, hllM)...), "version 1"},
		"quantiles blob": {mustMarshal(t, q), "not a serialized hll"},
		"precision 12":   {set(good, 3, 12), "precision 12"},
		"encoding 7":     {set(good, 4, 7), "unknown encoding"},
		"register 52":    {set(goodDense, 5+77, 52), "out of range"},
		"trailing byte":  {reseal(append(bytes.Clone(good), 0, 0, 0, 0, 0)), "trailing"},
		"short sparse":   {reseal(append(bytes.Clone(good[:len(good)-6]), 0, 0, 0, 0)), "corrupt"},
		"dense of small": {denseEncoding(h), "dense encoding of a sparse"},
	}
	for name, c := range cases {
		var back HLL
		err := back.UnmarshalBinary(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.want)
		}
	}
}

// denseEncoding is h in the dense encoding, valid but for being
// non-canonical when h is small.
func denseEncoding(h *HLL) []byte {
	regs := make([]uint8, hllM)
	h.each(func(i uint32, r uint8) { regs[i] = r })
	b := append(header(hllMagic, hllVersion, 0), hllP, hllDense)
	return seal(append(b, regs...))
}

// The serialized form of a fixed input never changes (format, hash and
// register layout are all fixed).
func TestHLLGolden(t *testing.T) {
	h := NewHLL()
	for i := range 20 {
		h.AddString("v" + strconv.Itoa(i))
	}
	const want = "484c020e011482b107c144c38802c1ad0fc1e8018254c180038131c25583df02" +
		"c1fc0181ed03c10bc27cc2a90981cc0381df01c310819803c11fc19ae1ae"
	if got := hexString(mustMarshal(t, h)); got != want {
		t.Errorf("golden sketch changed:\n got %s\nwant %s", got, want)
	}
	if h.Estimate() != 20 {
		t.Errorf("estimate %d, want 20", h.Estimate())
	}
}

func hexString(b []byte) string { return hex.EncodeToString(b) }
