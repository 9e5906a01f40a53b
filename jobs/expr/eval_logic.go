package expr

// The conditional forms (AND, OR, CASE, IF, COALESCE) evaluate an operand
// only for the rows that need it, passing those rows down as act: as if
// rows were computed one at a time, lazily. So a CASE guard protects its
// branch (CASE WHEN s <> '' THEN CAST(s AS BIGINT) END never fails on an
// empty s), and results never depend on which other rows share a batch.

// wantBool checks a condition's type.
func wantBool(pos int, what string, n *node) error {
	if n.t.k != kBoolean && n.t.k != kNull {
		return errorf(pos, "%s needs a BOOLEAN, not %s", what, n.t)
	}
	return nil
}

// activeRows is a copy of act (nil: all n rows) and its count, for
// conditionals to strike rows off as they are decided.
func activeRows(act []bool, n int) ([]bool, int) {
	out := make([]bool, n)
	count := 0
	for i := range n {
		if act == nil || act[i] {
			out[i] = true
			count++
		}
	}
	return out, count
}

// logic is AND / OR with three-valued logic: FALSE AND NULL is FALSE,
// TRUE OR NULL is TRUE; the right side is computed only where the left
// does not already decide.
func (c *compiler) logic(e *binaryExpr) (*node, error) {
	l, err := c.compile(e.l)
	if err != nil {
		return nil, err
	}
	r, err := c.compile(e.r)
	if err != nil {
		return nil, err
	}
	if err := wantBool(e.at, e.op, l); err != nil {
		return nil, err
	}
	if err := wantBool(e.at, e.op, r); err != nil {
		return nil, err
	}
	// A NULL literal operand is a NULL BOOLEAN, so both have values.
	if l.t.k == kNull {
		l = nullConst(tBoolean)
	}
	if r.t.k == kNull {
		r = nullConst(tBoolean)
	}
	// decider is the value that settles the result on its own: FALSE
	// for AND, TRUE for OR.
	decider := e.op == "OR"
	n := &node{t: tBoolean, eval: func(c *evalCtx, act []bool) (*vec, error) {
		a, err := l.eval(c, act)
		if err != nil {
			return nil, err
		}
		// The right side is needed where the left does not decide.
		need := make([]bool, c.n)
		count := 0
		for i := range need {
			if (act == nil || act[i]) && !(a.b[i] == decider && a.isValid(i)) {
				need[i] = true
				count++
			}
		}
		b := nullVec(kBoolean, c.n)
		if count > 0 {
			if count == c.n {
				need = nil
			}
			if b, err = r.eval(c, need); err != nil {
				return nil, err
			}
		}
		out := &vec{b: make([]bool, c.n)}
		av, bv := a.valid, b.valid
		if av == nil && bv == nil {
			for i := range out.b {
				if decider {
					out.b[i] = a.b[i] || b.b[i]
				} else {
					out.b[i] = a.b[i] && b.b[i]
				}
			}
			return out, nil
		}
		out.valid = make([]bool, c.n)
		for i := range out.b {
			aOK, bOK := av == nil || av[i], bv == nil || bv[i]
			switch {
			case aOK && a.b[i] == decider, bOK && b.b[i] == decider:
				out.b[i], out.valid[i] = decider, true
			case aOK && bOK:
				out.b[i], out.valid[i] = !decider, true
			}
		}
		return out, nil
	}}
	return fold(n, l, r), nil
}

func (c *compiler) not(e *unaryExpr) (*node, error) {
	x, err := c.compile(e.x)
	if err != nil {
		return nil, err
	}
	if err := wantBool(e.at, "NOT", x); err != nil {
		return nil, err
	}
	if x.t.k == kNull {
		return nullConst(tBoolean), nil
	}
	return fold(mapNode(tBoolean, x, func(in, out *vec, i int) error { out.b[i] = !in.b[i]; return nil }), x), nil
}

// caseWhen compiles both CASE forms. A simple CASE x WHEN v compares x
// (computed once) with each v by =.
func (c *compiler) caseWhen(e *caseExpr) (*node, error) {
	var subject *node
	if e.subject != nil {
		s, err := c.compile(e.subject)
		if err != nil {
			return nil, err
		}
		subject = s
	}
	conds := make([]func(c *evalCtx, act []bool, subj *vec) (*vec, error), len(e.whens))
	for k, w := range e.whens {
		wn, err := c.compile(w)
		if err != nil {
			return nil, err
		}
		if subject == nil {
			if err := wantBool(w.pos(), "WHEN", wn); err != nil {
				return nil, err
			}
			if wn.t.k == kNull {
				wn = nullConst(tBoolean)
			}
			conds[k] = func(c *evalCtx, act []bool, _ *vec) (*vec, error) { return wn.eval(c, act) }
			continue
		}
		cond, err := c.subjectEquals(w.pos(), subject, wn)
		if err != nil {
			return nil, err
		}
		conds[k] = cond
	}
	values, err := c.args(e.thens)
	if err != nil {
		return nil, err
	}
	if e.els != nil {
		els, err := c.compile(e.els)
		if err != nil {
			return nil, err
		}
		values = append(values, els)
	}
	t, values, err := c.unifyNodes(e.at, "CASE branches", values)
	if err != nil {
		return nil, err
	}
	return choose(t, subject, conds, values), nil
}

// subjectEquals is the condition subject = w of a simple CASE, taking
// the subject's values (computed once for all WHENs).
func (c *compiler) subjectEquals(pos int, subject, w *node) (func(c *evalCtx, act []bool, subj *vec) (*vec, error), error) {
	s, w, f, err := c.comparable(pos, "=", subject, w)
	if err != nil {
		return nil, err
	}
	if s != subject {
		return nil, errorf(pos, "cannot compare %s with %s", subject.t, w.t)
	}
	null := s.t.k == kNull || w.t.k == kNull
	return func(c *evalCtx, act []bool, subj *vec) (*vec, error) {
		wv, err := w.eval(c, act)
		if err != nil {
			return nil, err
		}
		out := &vec{b: make([]bool, c.n)}
		for i := range c.n {
			out.b[i] = !null && subj.isValid(i) && wv.isValid(i) && f(subj, i, wv, i) == 0
		}
		return out, nil
	}, nil
}

// choose evaluates CASE: for each row the value of the first true
// condition, else the ELSE value (values[len(conds)]) or NULL. Each
// condition and value sees only the rows still undecided.
func choose(t typ, subject *node, conds []func(*evalCtx, []bool, *vec) (*vec, error), values []*node) *node {
	return &node{t: t, eval: func(c *evalCtx, act []bool) (*vec, error) {
		out := nullVec(t.k, c.n)
		var subj *vec
		if subject != nil {
			var err error
			if subj, err = subject.eval(c, act); err != nil {
				return nil, err
			}
		}
		rest, left := activeRows(act, c.n)
		take := func(rows []bool, v *node) error {
			if v.konst != nil { // no need to repeat a constant n times
				if v.konst.isValid(0) {
					for i, r := range rows {
						if r {
							out.valid[i] = true
							out.set(i, v.konst, 0)
						}
					}
				}
				return nil
			}
			val, err := v.eval(c, rows)
			if err != nil {
				return err
			}
			for i, r := range rows {
				if r && val.isValid(i) {
					out.valid[i] = true
					out.set(i, val, i)
				}
			}
			return nil
		}
		for k, cond := range conds {
			if left == 0 {
				break
			}
			cv, err := cond(c, rest, subj)
			if err != nil {
				return nil, err
			}
			rows := make([]bool, c.n)
			count := 0
			for i := range rows {
				if rest[i] && cv.b[i] && cv.isValid(i) {
					rows[i], rest[i] = true, false
					count++
				}
			}
			if count == 0 {
				continue
			}
			left -= count
			if err := take(rows, values[k]); err != nil {
				return nil, err
			}
		}
		if left > 0 && len(values) > len(conds) {
			if err := take(rest, values[len(conds)]); err != nil {
				return nil, err
			}
		}
		return out, nil
	}}
}

// ifFunc is IF(c, a, b): CASE WHEN c THEN a ELSE b END.
func (c *compiler) ifFunc(e *callExpr, args []*node) (*node, error) {
	if err := wantBool(e.args[0].pos(), "IF's condition", args[0]); err != nil {
		return nil, err
	}
	t, values, err := c.unifyNodes(e.at, "IF's values", args[1:])
	if err != nil {
		return nil, err
	}
	cond := args[0]
	if cond.t.k == kNull {
		cond = nullConst(tBoolean)
	}
	return choose(t, nil, []func(*evalCtx, []bool, *vec) (*vec, error){
		func(c *evalCtx, act []bool, _ *vec) (*vec, error) { return cond.eval(c, act) },
	}, values), nil
}

// coalesce is the first non-NULL argument; each is computed only for
// the rows the ones before left NULL.
func (c *compiler) coalesce(e *callExpr, args []*node) (*node, error) {
	t, args, err := c.unifyNodes(e.at, "COALESCE", args)
	if err != nil {
		return nil, err
	}
	n := &node{t: t, eval: func(c *evalCtx, act []bool) (*vec, error) {
		out := nullVec(t.k, c.n)
		rest, left := activeRows(act, c.n)
		for _, a := range args {
			if left == 0 {
				break
			}
			v, err := a.eval(c, rest)
			if err != nil {
				return nil, err
			}
			for i := range c.n {
				if rest[i] && v.isValid(i) {
					out.valid[i] = true
					out.set(i, v, i)
					rest[i] = false
					left--
				}
			}
		}
		return out, nil
	}}
	return fold(n, args...), nil
}
