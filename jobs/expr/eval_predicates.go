package expr

// The predicates: IS [NOT] NULL, [NOT] IN and [NOT] BETWEEN.

func (c *compiler) isNull(e *isNullExpr) (*node, error) {
	x, err := c.compile(e.x)
	if err != nil {
		return nil, err
	}
	not := e.not
	n := &node{t: tBoolean, eval: func(c *evalCtx, act []bool) (*vec, error) {
		v, err := x.eval(c, act)
		if err != nil {
			return nil, err
		}
		out := make([]bool, c.n)
		for i := range out {
			out[i] = v.isValid(i) == not
		}
		return &vec{b: out}, nil
	}}
	return fold(n, x), nil
}

// in compiles x [NOT] IN (list): TRUE if x equals an item, else NULL if
// x or an item is NULL, else FALSE (NOT IN negates that, NULL staying
// NULL) — the OR of x = item.
func (c *compiler) in(e *inExpr) (*node, error) {
	x, err := c.compile(e.x)
	if err != nil {
		return nil, err
	}
	items, err := c.args(e.list)
	if err != nil {
		return nil, err
	}
	xs := make([]*node, len(items)) // x as compared with item k
	cmps := make([]comparer, len(items))
	sameKind := true
	for k := range items {
		if xs[k], items[k], cmps[k], err = c.comparable(e.list[k].pos(), "=", x, items[k]); err != nil {
			return nil, err
		}
		sameKind = sameKind && xs[k] == x && items[k].konst != nil && (items[k].t.k == x.t.k || items[k].t.k == kNull)
	}
	not := e.not
	if x.t.k == kNull {
		return nullConst(tBoolean), nil
	}
	if sameKind && (x.t.k == kVarchar || x.t.k == kBigint) {
		return c.inSet(x, items, not), nil
	}
	n := &node{t: tBoolean, eval: func(c *evalCtx, act []bool) (*vec, error) {
		xv, err := x.eval(c, act)
		if err != nil {
			return nil, err
		}
		found := make([]bool, c.n)
		sawNull := make([]bool, c.n)
		for k, it := range items {
			xk := xv
			if xs[k] != x {
				if xk, err = xs[k].eval(c, act); err != nil {
					return nil, err
				}
			}
			iv, err := it.eval(c, act)
			if err != nil {
				return nil, err
			}
			for i := range c.n {
				switch {
				case !iv.isValid(i):
					sawNull[i] = true
				case !found[i] && cmps[k](xk, i, iv, i) == 0:
					found[i] = true
				}
			}
		}
		out := &vec{b: make([]bool, c.n), valid: make([]bool, c.n)}
		for i := range c.n {
			out.b[i] = found[i] != not
			out.valid[i] = xv.isValid(i) && (found[i] || !sawNull[i])
		}
		return out, nil
	}}
	return fold(n, append([]*node{x}, items...)...), nil
}

// inSet is IN over constants of an indexable kind: one map look-up a row.
func (c *compiler) inSet(x *node, items []*node, not bool) *node {
	ints, strs, hasNull := map[int64]bool{}, map[string]bool{}, false
	for _, it := range items {
		v := it.konst
		switch {
		case !v.isValid(0):
			hasNull = true
		case x.t.k == kBigint:
			ints[v.i[0]] = true
		default:
			strs[v.s[0]] = true
		}
	}
	n := &node{t: tBoolean, eval: func(c *evalCtx, act []bool) (*vec, error) {
		xv, err := x.eval(c, act)
		if err != nil {
			return nil, err
		}
		out := &vec{b: make([]bool, c.n), valid: andValid(c.n, xv.valid)}
		if out.valid == nil {
			out.valid = fill(true, c.n)
		}
		for i := range c.n {
			if !out.valid[i] {
				continue
			}
			var found bool
			if xv.i != nil {
				found = ints[xv.i[i]]
			} else {
				found = strs[xv.s[i]]
			}
			out.b[i] = found != not
			out.valid[i] = found || !hasNull
		}
		return out, nil
	}}
	return fold(n, x)
}

// between is lo <= x AND x <= hi with SQL's three-valued AND.
func (c *compiler) between(e *betweenExpr) (*node, error) {
	x, err := c.compile(e.x)
	if err != nil {
		return nil, err
	}
	lo, err := c.compile(e.lo)
	if err != nil {
		return nil, err
	}
	hi, err := c.compile(e.hi)
	if err != nil {
		return nil, err
	}
	xl, lo, cl, err := c.comparable(e.at, ">=", x, lo)
	if err != nil {
		return nil, err
	}
	xh, hi, ch, err := c.comparable(e.at, "<=", x, hi)
	if err != nil {
		return nil, err
	}
	if xl != x || xh != x {
		return nil, errorf(e.at, "BETWEEN: cannot compare %s with %s and %s", x.t, lo.t, hi.t)
	}
	if x.t.k == kNull {
		return nullConst(tBoolean), nil
	}
	not := e.not
	n := &node{t: tBoolean, eval: func(c *evalCtx, act []bool) (*vec, error) {
		xv, err := x.eval(c, act)
		if err != nil {
			return nil, err
		}
		lv, err := lo.eval(c, act)
		if err != nil {
			return nil, err
		}
		hv, err := hi.eval(c, act)
		if err != nil {
			return nil, err
		}
		out := &vec{b: make([]bool, c.n), valid: make([]bool, c.n)}
		for i := range c.n {
			if !xv.isValid(i) {
				continue
			}
			// Each side: 1 holds, 0 fails, -1 unknown (a NULL bound).
			side := func(v *vec, t typ, f comparer, op string) int {
				if !v.isValid(i) || t.k == kNull {
					return -1
				}
				if opHolds(op, f(xv, i, v, i)) {
					return 1
				}
				return 0
			}
			a, b := side(lv, lo.t, cl, ">="), side(hv, hi.t, ch, "<=")
			switch {
			case a == 0 || b == 0:
				out.b[i], out.valid[i] = not, true
			case a == 1 && b == 1:
				out.b[i], out.valid[i] = !not, true
			}
		}
		return out, nil
	}}
	return fold(n, x, lo, hi), nil
}
