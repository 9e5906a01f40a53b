package jobs

import "slices"

// intSet is count_distinct's set of an integer column: a sorted run of
// distinct values plus a tail of recent additions, sorted into the run
// once it grows to half the run's size. Appending to a group's tail
// touches one cache line where a hash set probes a random slot of a
// table per value; with many groups each holding thousands of values
// the hash sets were the aggregate's largest cost. A nil *intSet is
// empty.
type intSet struct {
	sorted []int64 // ascending, distinct
	tail   []int64 // unsorted, may repeat
}

// minTail is the tail's length that always triggers a compaction.
const minTail = 64

// add adds v and says by how many bytes the set's memory grew.
func (s *intSet) add(v int64) (grew int64) {
	before := cap(s.tail)
	s.tail = append(s.tail, v)
	grew = 8 * int64(cap(s.tail)-before)
	if len(s.tail) >= max(minTail, len(s.sorted)/2) {
		grew += s.compact()
	}
	return grew
}

// compact sorts the tail into the run, and says by how many bytes the
// run grew.
func (s *intSet) compact() (grew int64) {
	if s == nil || len(s.tail) == 0 {
		return 0
	}
	slices.Sort(s.tail)
	t := slices.Compact(s.tail)
	before := cap(s.sorted)
	if len(s.sorted) == 0 {
		s.sorted = append(s.sorted, t...)
	} else {
		merged := make([]int64, 0, len(s.sorted)+len(t))
		i, j := 0, 0
		for i < len(s.sorted) && j < len(t) {
			switch a, b := s.sorted[i], t[j]; {
			case a < b:
				merged = append(merged, a)
				i++
			case b < a:
				merged = append(merged, b)
				j++
			default:
				merged = append(merged, a)
				i, j = i+1, j+1
			}
		}
		merged = append(append(merged, s.sorted[i:]...), t[j:]...)
		s.sorted = merged
	}
	s.tail = s.tail[:0]
	return 8 * int64(cap(s.sorted)-before)
}

// values is the set, ascending.
func (s *intSet) values() []int64 {
	if s == nil {
		return nil
	}
	s.compact()
	return s.sorted
}

// len is the number of distinct values.
func (s *intSet) len() int { return len(s.values()) }

// merge adds o's values to s.
func (s *intSet) merge(o *intSet) {
	for _, v := range o.values() {
		s.add(v)
	}
}
