package engine

import (
	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/analyzer"
	"github.com/dolthub/go-mysql-server/sql/expression"
	"github.com/dolthub/go-mysql-server/sql/expression/function/aggregation"
	"github.com/dolthub/go-mysql-server/sql/plan"
	"github.com/dolthub/go-mysql-server/sql/transform"
	"github.com/dolthub/go-mysql-server/sql/types"
)

// decimalAggRuleID names the rule among the analyzer's.
const decimalAggRuleID analyzer.RuleId = 10_002

// decimalAggRule gives SUM and AVG of a DECIMAL column MySQL's DECIMAL
// result types. go-mysql-server computes them exactly (as decimals) but
// declares every SUM and AVG a DOUBLE, so the result would be sent as a
// double: rounded past 15 digits, and without its scale (5705 where
// MySQL prints 5705.00). MySQL: SUM(DECIMAL(p,s)) is DECIMAL(p+22,s),
// AVG(DECIMAL(p,s)) is DECIMAL(p+4,s+4) (div_precision_increment 4).
func decimalAggRule(ctx *gsql.Context, a *analyzer.Analyzer, n gsql.Node, scope *plan.Scope, sel analyzer.RuleSelector, qf *gsql.QueryFlags) (gsql.Node, transform.TreeIdentity, error) {
	return fixDecimalAggs(n)
}

func fixDecimalAggs(n gsql.Node) (gsql.Node, transform.TreeIdentity, error) {
	fix := map[gsql.ColumnId]gsql.Type{}
	transform.InspectExpressions(n, func(e gsql.Expression) bool {
		var child gsql.Expression
		var id gsql.ColumnId
		sum := false
		switch x := e.(type) {
		case *aggregation.Sum:
			child, id, sum = x.Child, x.Id(), true
		case *aggregation.Avg:
			child, id = x.Child, x.Id()
		default:
			return true
		}
		d, ok := child.Type().(gsql.DecimalType)
		if !ok || id == 0 {
			return true
		}
		p, s := int(d.Precision()), int(d.Scale())
		if sum {
			p += 22
		} else {
			p, s = p+4, s+4
		}
		t, err := types.CreateDecimalType(uint8(min(p, types.DecimalTypeMaxPrecision)), uint8(min(s, types.DecimalTypeMaxScale)))
		if err == nil {
			fix[id] = t
		}
		return true
	})
	return transform.NodeExprsWithOpaque(n, func(e gsql.Expression) (gsql.Expression, transform.TreeIdentity, error) {
		switch x := e.(type) {
		case *plan.Subquery:
			q, same, err := fixDecimalAggs(x.Query)
			if err != nil || same {
				return e, transform.SameTree, err
			}
			return x.WithQuery(q), transform.NewTree, nil
		case *expression.GetField:
			t, ok := fix[x.Id()]
			if !ok || !types.IsFloat(x.Type()) {
				return e, transform.SameTree, nil
			}
			gf := expression.NewGetFieldWithTable(x.Index(), int(x.TableId()), t, x.Database(), x.Table(), x.Name(), x.IsNullable())
			return gf.WithId(x.Id()).(*expression.GetField), transform.NewTree, nil
		}
		return e, transform.SameTree, nil
	})
}
