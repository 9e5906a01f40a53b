package expr

import (
	"strings"
	"testing"
)

const (
	i64  = "int64"
	f64  = "float64"
	str  = "utf8"
	boo  = "bool"
	date = "date32"
	tsU  = "timestamp[us, tz=UTC]"
	tsW  = "timestamp[us]"
	null = "(null)"
)

func TestArithmetic(t *testing.T) {
	runCases(t, testBatch(t), nil, []evalCase{
		{"n * 2 + 1", i64, "[11 -5 401 1 (null)]"},
		{"n / 2", f64, "[2.5 -1.5 100 0 (null)]"},
		{"7 / 2", f64, "[3.5 3.5 3.5 3.5 3.5]"},
		{"n % 3", i64, "[2 0 2 0 (null)]"},
		{"big % 3", i64, "[1 1 0 -1 (null)]"},
		{"n DIV 2", i64, "[2 -1 100 0 (null)]"},
		{"f DIV 0.5", i64, "[3 -4 0 0 (null)]"},
		{"f * n", f64, "[7.5 6 0 0 (null)]"},
		{"f + 1", f64, "[2.5 -1 1 1.25 (null)]"},
		{"f - n", f64, "[-3.5 1 -200 0.25 (null)]"},
		{"-n", i64, "[-5 3 -200 0 (null)]"},
		{"- -n", i64, "[5 -3 200 0 (null)]"},
		{"f32 * 2", f64, "[1 2.5 -6 0 (null)]"},
		{"u8 + 1", i64, "[256 1 2 3 (null)]"},
		{"`Mixed Case` + N", i64, "[6 -1 203 4 (null)]"},
		{"mod(n, 3)", i64, "[2 0 2 0 (null)]"},
		{"mod(10.5, 3)", f64, "[1.5 1.5 1.5 1.5 1.5]"},
		{"NULL + 1", i64, "[(null) (null) (null) (null) (null)]"},
		{"n + NULL", i64, "[(null) (null) (null) (null) (null)]"},
		{"-9223372036854775808", i64, "[-9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808]"},
		// Division and modulo by zero are NULL, as in MySQL.
		{"n / 0", f64, "[(null) (null) (null) (null) (null)]"},
		{"n % 0", i64, "[(null) (null) (null) (null) (null)]"},
		{"n DIV 0", i64, "[(null) (null) (null) (null) (null)]"},
		{"f / n", f64, "[0.3 0.6666666666666666 0 (null) (null)]"},
		{"mod(n, 0)", i64, "[(null) (null) (null) (null) (null)]"},
		// Overflow is an error, never a wrap-around.
		{"big + 1", "", "position 5: 9223372036854775807 + 1 overflows BIGINT"},
		{"big * 2", "", "9223372036854775807 * 2 overflows BIGINT"},
		{"-big - 2", "", "-9223372036854775807 - 2 overflows BIGINT"},
		{"abs(-9223372036854775808)", "", "ABS(-9223372036854775808) overflows BIGINT"},
		{"-9223372036854775808 DIV -1", "", "overflows BIGINT"},
		{"1e308 * 10", "", "1e+308 * 10 overflows DOUBLE"},
		{"99999999999999999999", "", "position 1: integer 99999999999999999999 is out of BIGINT range"},
		// A row a condition discards never fails.
		{"IF(big < 100, big * 2, 0)", i64, "[0 2 0 -14 0]"},
		{"CASE WHEN big > 10 THEN 0 ELSE big + 1 END", i64, "[0 2 1 -6 (null)]"},
		{"big < 100 AND big * 2 > 0", boo, "[false true false false (null)]"},
		{"big > 100 OR big * 2 > 0", boo, "[true true false false (null)]"},
		{"big BETWEEN -1000000 AND 1000000 AND big * big > 5", boo, "[false false false true (null)]"},
		// BIGINT UNSIGNED above 2^63-1 fails where it is used, naming it.
		{"u + 1", "", "column u: 18446744073709551615 does not fit a BIGINT"},
		{"IF(n = 200, 0, u)", i64, "[1 2 0 3 (null)]"},
		// Type errors.
		{"s + 1", "", "position 3: + needs numbers, not VARCHAR"},
		{"ok * 2", "", "* needs numbers, not BOOLEAN"},
		{"-s", "", "cannot negate a VARCHAR"},
	})
}

func TestComparisonAndLogic(t *testing.T) {
	runCases(t, testBatch(t), nil, []evalCase{
		{"n > 0 AND f > 0", boo, "[true false false false (null)]"},
		{"n > 0 OR s IS NULL", boo, "[true false true false true]"},
		{"NULL AND FALSE", boo, "[false false false false false]"},
		{"FALSE AND NULL", boo, "[false false false false false]"},
		{"NULL AND TRUE", boo, "[(null) (null) (null) (null) (null)]"},
		{"NULL OR TRUE", boo, "[true true true true true]"},
		{"NULL OR FALSE", boo, "[(null) (null) (null) (null) (null)]"},
		{"NOT (n > 0)", boo, "[false true false true (null)]"},
		{"NOT NULL", boo, "[(null) (null) (null) (null) (null)]"},
		{"n <> 5", boo, "[false true true true (null)]"},
		{"n != 5", boo, "[false true true true (null)]"},
		{"n = NULL", boo, "[(null) (null) (null) (null) (null)]"},
		{"n <= 0", boo, "[false true false true (null)]"},
		{"n >= 200", boo, "[false false true false (null)]"},
		{"f < n", boo, "[true false true false (null)]"},
		// BIGINT against DOUBLE compares exactly: 2^63-1 < 2^63.
		{"big = 9223372036854775807.0", boo, "[false false false false (null)]"},
		{"big < 9223372036854775807.0", boo, "[true true true true (null)]"},
		{"big > 9.2e18", boo, "[true false false false (null)]"},
		{"s < 'm'", boo, "[true true false true (null)]"},
		{"ok = TRUE", boo, "[true false true false (null)]"},
		{"ok > FALSE", boo, "[true false true false (null)]"},
		{"s IS NOT NULL", boo, "[true true true true false]"},
		{"s IS NULL", boo, "[false false false false true]"},
		{"n IN (5, 200)", boo, "[true false true false (null)]"},
		{"n IN (5, NULL)", boo, "[true (null) (null) (null) (null)]"},
		{"n NOT IN (5, NULL)", boo, "[false (null) (null) (null) (null)]"},
		{"n NOT IN (5, 200)", boo, "[false true false true (null)]"},
		{"n IN (f, 200)", boo, "[false false true false (null)]"},
		{"n IN (1.5, 5.0)", boo, "[true false false false (null)]"},
		{"s IN ('login_failed', '')", boo, "[false true false true (null)]"},
		{"n BETWEEN 0 AND 10", boo, "[true false false true (null)]"},
		{"n NOT BETWEEN 0 AND 10", boo, "[false true true false (null)]"},
		{"n BETWEEN NULL AND 10", boo, "[(null) (null) false (null) (null)]"},
		{"n BETWEEN 1 AND 2 OR ok", boo, "[true false true false (null)]"},
		{"price > 12", boo, "[true false true false (null)]"},
		{"price > 12.339", boo, "[true false true false (null)]"},
		{"price = 12.34", boo, "[true false false false (null)]"},
		{"price >= f", boo, "[true true true false (null)]"},
		{"price IN (12.34, 0)", boo, "[true false false true (null)]"},
		{"price BETWEEN -1 AND 100", boo, "[true true false true (null)]"},
		{"qty < price", boo, "[true false true false (null)]"},
		{"bin = 'abc'", boo, "[false true false true (null)]"},
		{"bin <> bin", boo, "[false false false false (null)]"},
		{"bin IS NULL", boo, "[false false false false true]"},
		{"bin IN ('abc')", boo, "[false true false true (null)]"},
		{"bin < 'a'", "", "BINARY values are only compared with = and <>"},
		{"n = 'x'", "", "position 3: cannot compare BIGINT with VARCHAR (CAST one side)"},
		{"ok = 1", "", "cannot compare BOOLEAN with BIGINT"},
		{"n AND ok", "", "position 3: AND needs a BOOLEAN, not BIGINT"},
		{"NOT n", "", "NOT needs a BOOLEAN, not BIGINT"},
		{"n IN (1, 'a')", "", "cannot compare BIGINT with VARCHAR"},
		{"tags IS NULL", "", "only Go functions take those"},
		{"tags", "", "only Go functions take those"},
	})
}

func TestTimes(t *testing.T) {
	runCases(t, testBatch(t), nil, []evalCase{
		// A VARCHAR literal compared with a TIMESTAMP is read as one.
		{"at >= '2026-11-21 10:30:00'", boo, "[false true false false (null)]"},
		{"at BETWEEN '2026-11-21 10:00:00' AND '2026-11-21 10:30:00'", boo, "[true false false false (null)]"},
		{"'2026-11-21 10:30' < at", boo, "[false true false false (null)]"},
		{"at IN ('2026-11-21 10:59:59', '1969-12-31 23:30:00')", boo, "[false true true false (null)]"},
		{"dt < TIMESTAMP '2026-01-01 00:00:00'", boo, "[false false true false (null)]"},
		{"at = dt", boo, "[true true true true (null)]"},
		{"d = DATE '2026-11-21'", boo, "[true false false false (null)]"},
		{"d < '2000-01-02'", boo, "[false false true true (null)]"},
		{"date(at) = d", boo, "[true false true false (null)]"},
		{"at >= d", boo, "[true true true true (null)]"},
		{"at > '2026-11-21 25:00'", "", "'2026-11-21 25:00' is not a TIMESTAMP"},
		{"at = s", "", "cannot compare TIMESTAMP (UTC) with VARCHAR"},
		// Zones are kept.
		{"at", tsU, "[2026-11-21 10:17:03.5 2026-11-21 10:59:59 1969-12-31 23:30:00 2026-11-21 00:00:00 (null)]"},
		{"dt", tsW, "[2026-11-21 10:17:03.5 2026-11-21 10:59:59 1969-12-31 23:30:00 2026-11-21 00:00:00 (null)]"},
		{"at + INTERVAL '15' MINUTE", tsU, "[2026-11-21 10:32:03.5 2026-11-21 11:14:59 1969-12-31 23:45:00 2026-11-21 00:15:00 (null)]"},
		{"INTERVAL 1 HOUR + dt", tsW, "[2026-11-21 11:17:03.5 2026-11-21 11:59:59 1970-01-01 00:30:00 2026-11-21 01:00:00 (null)]"},
		{"dt - INTERVAL '1' DAY", tsW, "[2026-11-20 10:17:03.5 2026-11-20 10:59:59 1969-12-30 23:30:00 2026-11-20 00:00:00 (null)]"},
		{"at - INTERVAL '-30' SECOND", tsU, "[2026-11-21 10:17:33.5 2026-11-21 11:00:29 1969-12-31 23:30:30 2026-11-21 00:00:30 (null)]"},
		{"coalesce(at, TIMESTAMP '2000-01-01 00:00:00')", "", "TIMESTAMP zones differ"},
		{"coalesce(at, at)", tsU, "[2026-11-21 10:17:03.5 2026-11-21 10:59:59 1969-12-31 23:30:00 2026-11-21 00:00:00 (null)]"},
		{"coalesce(dt, '2000-01-01 00:00:00')", tsW, "[2026-11-21 10:17:03.5 2026-11-21 10:59:59 1969-12-31 23:30:00 2026-11-21 00:00:00 2000-01-01 00:00:00]"},
		{"IF(ok, at, dt)", "", "TIMESTAMP zones differ"},
		{"hour(at)", i64, "[10 10 23 0 (null)]"},
		{"hour(dt)", i64, "[10 10 23 0 (null)]"},
		{"day(at)", i64, "[21 21 31 21 (null)]"},
		{"day(d)", i64, "[21 28 31 1 (null)]"},
		{"date(at)", date, "[2026-11-21 2026-11-21 1969-12-31 2026-11-21 (null)]"},
		{"date(d)", date, "[2026-11-21 2026-02-28 1969-12-31 2000-01-01 (null)]"},
		{"date_trunc('hour', at)", tsU, "[2026-11-21 10:00:00 2026-11-21 10:00:00 1969-12-31 23:00:00 2026-11-21 00:00:00 (null)]"},
		{"date_trunc('minute', dt)", tsW, "[2026-11-21 10:17:00 2026-11-21 10:59:00 1969-12-31 23:30:00 2026-11-21 00:00:00 (null)]"},
		{"date_trunc('DAY', at)", tsU, "[2026-11-21 00:00:00 2026-11-21 00:00:00 1969-12-31 00:00:00 2026-11-21 00:00:00 (null)]"},
		{"date_trunc('second', at)", tsU, "[2026-11-21 10:17:03 2026-11-21 10:59:59 1969-12-31 23:30:00 2026-11-21 00:00:00 (null)]"},
		{"date_trunc('month', at)", tsU, "[2026-11-01 00:00:00 2026-11-01 00:00:00 1969-12-01 00:00:00 2026-11-01 00:00:00 (null)]"},
		{"date_trunc('year', dt)", tsW, "[2026-01-01 00:00:00 2026-01-01 00:00:00 1969-01-01 00:00:00 2026-01-01 00:00:00 (null)]"},
		{"date_trunc('week', at)", "", "DATE_TRUNC: unknown unit 'week'"},
		{"date_trunc(s, at)", "", "DATE_TRUNC wants its unit as a string constant"},
		{"time_bucket(at, INTERVAL '15' MINUTE)", tsU, "[2026-11-21 10:15:00 2026-11-21 10:45:00 1969-12-31 23:30:00 2026-11-21 00:00:00 (null)]"},
		{"time_bucket(dt, INTERVAL '1' HOUR)", tsW, "[2026-11-21 10:00:00 2026-11-21 10:00:00 1969-12-31 23:00:00 2026-11-21 00:00:00 (null)]"},
		{"time_bucket(at, INTERVAL '7' MINUTE)", tsU, "[2026-11-21 10:13:00 2026-11-21 10:55:00 1969-12-31 23:25:00 2026-11-20 23:57:00 (null)]"},
		{"time_bucket(at, INTERVAL '0' MINUTE)", "", "TIME_BUCKET wants a positive constant INTERVAL"},
		{"time_bucket(at, 15)", "", "TIME_BUCKET wants a positive constant INTERVAL"},
		{"CAST(to_unixtime(at) AS VARCHAR)", str, `["1795256223.5" "1795258799" "-1800" "1795219200" (null)]`},
		{"to_unixtime(d)", f64, "[1.7952192e+09 1.7722368e+09 -86400 9.466848e+08 (null)]"},
		{"from_unixtime(0)", tsU, "[1970-01-01 00:00:00 1970-01-01 00:00:00 1970-01-01 00:00:00 1970-01-01 00:00:00 1970-01-01 00:00:00]"},
		{"from_unixtime(1.5)", tsU, "[1970-01-01 00:00:01.5 1970-01-01 00:00:01.5 1970-01-01 00:00:01.5 1970-01-01 00:00:01.5 1970-01-01 00:00:01.5]"},
		{"from_unixtime(to_unixtime(dt)) = at", boo, "[true true true true (null)]"},
		{"from_unixtime(1e30)", "", "FROM_UNIXTIME(1e+30) is not a TIMESTAMP"},
		{"at - at", "", "TO_UNIXTIME"},
		{"at + 1", "", "a TIMESTAMP takes + or - an INTERVAL"},
		{"INTERVAL '1' HOUR", "", "an INTERVAL is only added to or subtracted from a TIMESTAMP"},
		{"n + INTERVAL '1' HOUR", "", "a TIMESTAMP takes + or - an INTERVAL"},
		{"d + INTERVAL '1' DAY", "", "a TIMESTAMP takes + or - an INTERVAL"},
	})
}

func TestDecimal(t *testing.T) {
	rec := testBatch(t)
	runCases(t, rec, nil, []evalCase{
		// Passed through unchanged, with its precision and scale.
		{"price", "decimal(10, 2)", "[12.34 -0.05 99999999.99 0.00 (null)]"},
		{"-price", "decimal(10, 2)", "[-12.34 0.05 -99999999.99 0.00 (null)]"},
		{"abs(price)", "decimal(10, 2)", "[12.34 0.05 99999999.99 0.00 (null)]"},
		{"price + price", "decimal(11, 2)", "[24.68 -0.10 199999999.98 0.00 (null)]"},
		{"price + 1", "decimal(11, 2)", "[13.34 0.95 100000000.99 1.00 (null)]"},
		{"price - 0.05", "decimal(11, 2)", "[12.29 -0.10 99999999.94 -0.05 (null)]"},
		{"price + qty", "decimal(11, 2)", "[15.34 6.95 100000000.99 0.00 (null)]"},
		{"price * 2", "decimal(11, 2)", "[24.68 -0.10 199999999.98 0.00 (null)]"},
		{"qty * price", "decimal(15, 2)", "[37.02 -0.35 99999999.99 0.00 (null)]"},
		{"price * 1.5", "decimal(12, 3)", "[18.510 -0.075 149999999.985 0.000 (null)]"},
		{"price + n", "decimal(22, 2)", "[17.34 -3.05 100000199.99 0.00 (null)]"},
		{"coalesce(price, 0)", "decimal(10, 2)", "[12.34 -0.05 99999999.99 0.00 0.00]"},
		{"IF(ok, price, qty)", "decimal(10, 2)", "[12.34 7.00 99999999.99 0.00 (null)]"},
		{"greatest(price, 1)", "decimal(10, 2)", "[12.34 1.00 99999999.99 1.00 (null)]"},
		{"round(price, 1)", "decimal(10, 1)", "[12.3 -0.1 100000000.0 0.0 (null)]"},
		{"round(price)", "decimal(9, 0)", "[12 0 100000000 0 (null)]"},
		{"round(price, -1)", "decimal(9, 0)", "[10 0 100000000 0 (null)]"},
		{"floor(price)", "decimal(9, 0)", "[12 -1 99999999 0 (null)]"},
		{"ceil(price)", "decimal(9, 0)", "[13 0 100000000 0 (null)]"},
		{"CAST(price AS DOUBLE) / 2", f64, "[6.17 -0.025 4.9999999995e+07 0 (null)]"},
		{"CAST(price AS BIGINT)", i64, "[12 0 100000000 0 (null)]"},
		{"CAST(price AS VARCHAR)", str, `["12.34" "-0.05" "99999999.99" "0.00" (null)]`},
		{"CAST(price AS DECIMAL(12,4))", "decimal(12, 4)", "[12.3400 -0.0500 99999999.9900 0.0000 (null)]"},
		{"TRY_CAST(price AS DECIMAL(4,1))", "decimal(4, 1)", "[12.3 -0.1 (null) 0.0 (null)]"},
		{"CAST(price AS DECIMAL(4,1))", "", "CAST(99999999.99 AS DECIMAL(4,1)): does not fit DECIMAL(4,1)"},
		{"CAST('1.005' AS DECIMAL(5,2))", "decimal(5, 2)", "[1.01 1.01 1.01 1.01 1.01]"},
		{"CAST(0.1 AS DECIMAL(3,2))", "decimal(3, 2)", "[0.10 0.10 0.10 0.10 0.10]"},
		{"CAST(n AS DECIMAL(5,1))", "decimal(5, 1)", "[5.0 -3.0 200.0 0.0 (null)]"},
		{"CAST('abc' AS DECIMAL(5,1))", "", "CAST('abc' AS DECIMAL(5,1)): not a number"},
		// Inexact arithmetic is refused, not done silently in DOUBLE.
		{"price / 2", "", "position 7: DECIMAL(10,2) / DECIMAL(1,0): exact DECIMAL arithmetic is +, - and * only; CAST the DECIMAL AS DOUBLE"},
		{"price % 2", "", "exact DECIMAL arithmetic is +, - and * only"},
		{"price + f", "", "would lose DECIMAL digits: CAST the DECIMAL AS DOUBLE"},
		{"IF(ok, price, f)", "", "CAST the DECIMAL AS DOUBLE"},
		{"price * price * price * price", "", "needs 40 digits, more than 38"},
	})
	// A column passes through without a copy.
	p, err := CompileString("price", rec.Schema(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Eval(rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if out.Data().Buffers()[1] != rec.Column(9).Data().Buffers()[1] {
		t.Error("price was copied")
	}
}

func TestStrings(t *testing.T) {
	runCases(t, testBatch(t), nil, []evalCase{
		{"trim(s)", str, `["Hello World" "login_failed" "user bob@example.com from 10.0.0.1" "" (null)]`},
		{"ltrim(s)", str, `["Hello World " "login_failed" "user bob@example.com from 10.0.0.1" "" (null)]`},
		{"rtrim(s)", str, `["  Hello World" "login_failed" "user bob@example.com from 10.0.0.1" "" (null)]`},
		{"upper(trim(s)) || '!'", str, `["HELLO WORLD!" "LOGIN_FAILED!" "USER BOB@EXAMPLE.COM FROM 10.0.0.1!" "!" (null)]`},
		{"lower(word)", str, `["abc" "abc" "a%c" "héllo" (null)]`},
		{"upper(word)", str, `["ABC" "ABC" "A%C" "HÉLLO" (null)]`},
		{"length(s)", i64, "[14 12 34 0 (null)]"},
		{"length(word)", i64, "[3 3 3 5 (null)]"},
		{"substr(s, 1, 5)", str, `["  Hel" "login" "user " "" (null)]`},
		{"substr(s, -6)", str, `["World " "failed" ".0.0.1" "" (null)]`},
		{"substr(word, 2)", str, `["bc" "BC" "%c" "éllo" (null)]`},
		{"substring(word, 2, 2)", str, `["bc" "BC" "%c" "él" (null)]`},
		{"substr(word, -4, 2)", str, `["" "" "" "él" (null)]`},
		{"substr(word, 0)", str, `["" "" "" "" (null)]`},
		{"substr(word, 10)", str, `["" "" "" "" (null)]`},
		{"substr(word, 1, -1)", str, `["" "" "" "" (null)]`},
		{"substr(word, 1, NULL)", str, "[(null) (null) (null) (null) (null)]"},
		{"concat(s, 'x', NULL)", str, "[(null) (null) (null) (null) (null)]"},
		{"concat(word, '-', n, '-', f, '-', ok)", str, `["abc-5-1.5-true" "ABC--3--2-false" "a%c-200-0-true" "héllo-0-0.25-false" (null)]`},
		{"concat(word)", str, `["abc" "ABC" "a%c" "héllo" (null)]`},
		{"concat_ws('/', word, NULL, n)", str, `["abc/5" "ABC/-3" "a%c/200" "héllo/0" ""]`},
		{"concat_ws(NULL, word)", str, "[(null) (null) (null) (null) (null)]"},
		{"concat_ws(', ', at, d)", str, `["2026-11-21 10:17:03.5, 2026-11-21" "2026-11-21 10:59:59, 2026-02-28" "1969-12-31 23:30:00, 1969-12-31" "2026-11-21 00:00:00, 2000-01-01" ""]`},
		{"replace(word, 'b', 'X')", str, `["aXc" "ABC" "a%c" "héllo" (null)]`},
		{"replace(word, '', 'X')", str, `["abc" "ABC" "a%c" "héllo" (null)]`},
		{"starts_with(s, 'log')", boo, "[false true false false (null)]"},
		{"split_part(s, ' ', 2)", str, `["" "" "bob@example.com" "" (null)]`},
		{"split_part('a,b,,c', ',', 2)", str, `["b" "b" "b" "b" "b"]`},
		{"split_part('a,b,,c', ',', 3)", str, `["" "" "" "" ""]`},
		{"split_part('a,b,,c', ',', -1)", str, `["c" "c" "c" "c" "c"]`},
		{"split_part('a,b,,c', ',', 9)", str, `["" "" "" "" ""]`},
		{"split_part('a,b', '', 1)", str, `["a,b" "a,b" "a,b" "a,b" "a,b"]`},
		{"split_part(s, ',', 0)", "", "SPLIT_PART: field positions start at 1"},
		{"split_part(s, ',', n - n)", "", "SPLIT_PART: field positions start at 1"},
		{"s || NULL", str, "[(null) (null) (null) (null) (null)]"},
		{"n || 'x'", "", "|| joins VARCHARs, not BIGINT (use CONCAT"},
		{"concat(bin)", "", "CONCAT: argument 1 is BINARY, which has no text form"},
		{"lower(n)", "", "position 7: LOWER: argument 1 is BIGINT, want VARCHAR"},
		{"lower(s, s)", "", "position 1: LOWER takes 1 argument, got 2"},
		{"concat()", "", "CONCAT takes at least 1 argument, got 0"},
		{"substr(s)", "", "SUBSTR takes 2 to 3 arguments, got 1"},
		{"substr(s, 1.5)", "", "SUBSTR: argument 2 is DOUBLE, want BIGINT"},
	})
}

func TestLikeExpr(t *testing.T) {
	runCases(t, testBatch(t), nil, []evalCase{
		{"s LIKE 'login%'", boo, "[false true false false (null)]"},
		{"s NOT LIKE '%@%'", boo, "[true true false true (null)]"},
		{"word LIKE 'a_c'", boo, "[true false true false (null)]"},
		{`word LIKE 'a\%c'`, boo, "[false false true false (null)]"},
		{"word LIKE 'h_llo'", boo, "[false false false true (null)]"},
		{"word LIKE '%'", boo, "[true true true true (null)]"},
		{"s LIKE ''", boo, "[false false false true (null)]"},
		{"word LIKE '%c'", boo, "[true false true false (null)]"},
		{"word LIKE 'A%'", boo, "[false true false false (null)]"},
		{"word LIKE word", boo, "[true true true true (null)]"},
		{"word LIKE NULL", boo, "[(null) (null) (null) (null) (null)]"},
		{"n LIKE '5'", "", "LIKE matches VARCHARs, not BIGINT"},
	})
}

func TestConditionals(t *testing.T) {
	runCases(t, testBatch(t), nil, []evalCase{
		{"CASE WHEN n >= 100 THEN 'slow' WHEN n >= 0 THEN 'fast' END", str, `["fast" (null) "slow" "fast" (null)]`},
		{"CASE WHEN n >= 100 THEN 'slow' ELSE 'other' END", str, `["other" "other" "slow" "other" "other"]`},
		{"CASE n WHEN 5 THEN 1 WHEN 0 THEN 2 ELSE 2.5 END", f64, "[1 2.5 2.5 2 2.5]"},
		{"CASE n WHEN NULL THEN 1 ELSE 0 END", i64, "[0 0 0 0 0]"},
		{"CASE at WHEN '2026-11-21 00:00:00' THEN 'midnight' END", str, `[(null) (null) (null) "midnight" (null)]`},
		{"CASE WHEN ok THEN NULL ELSE n END", i64, "[(null) -3 (null) 0 (null)]"},
		{"CASE WHEN FALSE THEN 1 END", i64, "[(null) (null) (null) (null) (null)]"},
		{"IF(n > 0, 'pos', 'neg')", str, `["pos" "neg" "pos" "neg" "neg"]`},
		{"IF(ok, n, f)", f64, "[5 -2 200 0.25 (null)]"},
		{"if(NULL, 1, 2)", i64, "[2 2 2 2 2]"},
		{"coalesce(n, 7)", i64, "[5 -3 200 0 7]"},
		{"coalesce(f, n)", f64, "[1.5 -2 0 0.25 (null)]"},
		{"coalesce(NULL, s, 'none')", str, `["  Hello World " "login_failed" "user bob@example.com from 10.0.0.1" "" "none"]`},
		{"coalesce(NULL, NULL)", str, "[(null) (null) (null) (null) (null)]"},
		{"coalesce(n, big + 1)", i64, "[5 -3 200 0 (null)]"},
		{"nullif(n, 0)", i64, "[5 -3 200 (null) (null)]"},
		{"nullif(s, '')", str, `["  Hello World " "login_failed" "user bob@example.com from 10.0.0.1" (null) (null)]`},
		{"nullif(n, NULL)", i64, "[5 -3 200 0 (null)]"},
		{"greatest(n, 10, f)", f64, "[10 10 200 10 (null)]"},
		{"least(n, 10)", i64, "[5 -3 10 0 (null)]"},
		{"least(word, 'b')", str, `["abc" "ABC" "a%c" "b" (null)]`},
		{"greatest(at, '2026-11-21 10:30:00')", tsU, "[2026-11-21 10:30:00 2026-11-21 10:59:59 2026-11-21 10:30:00 2026-11-21 10:30:00 (null)]"},
		{"greatest(n, s)", "", "GREATEST: BIGINT and VARCHAR are different types"},
		{"CASE WHEN n THEN 1 END", "", "position 11: WHEN needs a BOOLEAN, not BIGINT"},
		{"CASE WHEN ok THEN 1 ELSE 'x' END", "", "CASE branches: BIGINT and VARCHAR are different types"},
		{"CASE n WHEN 'x' THEN 1 END", "", "cannot compare BIGINT with VARCHAR"},
		{"IF(n, 1, 2)", "", "IF's condition needs a BOOLEAN, not BIGINT"},
		{"IF(ok, 1)", "", "IF takes 3 arguments, got 2"},
		// A guarded CAST never sees the rows its guard excludes.
		{"CASE WHEN regexp_like(s, '^[0-9]+$') THEN CAST(s AS BIGINT) END", i64, "[(null) (null) (null) (null) (null)]"},
		{"IF(s = '', 0, length(s))", i64, "[14 12 34 0 (null)]"},
	})
}

func TestCasts(t *testing.T) {
	runCases(t, testBatch(t), nil, []evalCase{
		{"CAST('42' AS BIGINT)", i64, "[42 42 42 42 42]"},
		{"CAST(' -42 ' AS INTEGER)", i64, "[-42 -42 -42 -42 -42]"},
		{"CAST('abc' AS BIGINT)", "", "position 1: CAST('abc' AS BIGINT): not a whole number"},
		{"CAST(s AS BIGINT)", "", "CAST('  Hello World ' AS BIGINT): not a whole number"},
		{"CAST('99999999999999999999' AS BIGINT)", "", "out of BIGINT range"},
		{"TRY_CAST(s AS BIGINT)", i64, "[(null) (null) (null) (null) (null)]"},
		{"TRY_CAST('12' AS BIGINT) + 1", i64, "[13 13 13 13 13]"},
		{"CAST(f AS BIGINT)", i64, "[2 -2 0 0 (null)]"},
		{"CAST(1e19 AS BIGINT)", "", "out of BIGINT range"},
		{"CAST(ok AS BIGINT)", i64, "[1 0 1 0 (null)]"},
		{"CAST(n AS DOUBLE) / 4", f64, "[1.25 -0.75 50 0 (null)]"},
		{"CAST('2.5e3' AS DOUBLE)", f64, "[2500 2500 2500 2500 2500]"},
		{"CAST('NaN' AS DOUBLE)", "", "not a number"},
		{"CAST('0x10' AS DOUBLE)", "", "not a number"},
		{"CAST('1-2' AS DOUBLE)", "", "not a number"},
		{"CAST('1e400' AS DOUBLE)", "", "not a finite number"},
		{"TRY_CAST(s AS DOUBLE)", f64, "[(null) (null) (null) (null) (null)]"},
		{"CAST(n AS VARCHAR) || 'x'", str, `["5x" "-3x" "200x" "0x" (null)]`},
		{"CAST(f AS VARCHAR)", str, `["1.5" "-2" "0" "0.25" (null)]`},
		{"CAST(123456789.0 AS VARCHAR)", str, `["123456789" "123456789" "123456789" "123456789" "123456789"]`},
		{"CAST(1e21 AS VARCHAR)", str, `["1e+21" "1e+21" "1e+21" "1e+21" "1e+21"]`},
		{"CAST(at AS VARCHAR)", str, `["2026-11-21 10:17:03.5" "2026-11-21 10:59:59" "1969-12-31 23:30:00" "2026-11-21 00:00:00" (null)]`},
		{"CAST(d AS VARCHAR)", str, `["2026-11-21" "2026-02-28" "1969-12-31" "2000-01-01" (null)]`},
		{"CAST(ok AS VARCHAR)", str, `["true" "false" "true" "false" (null)]`},
		{"CAST('yes' AS BOOLEAN)", boo, "[true true true true true]"},
		{"CAST('maybe' AS BOOLEAN)", "", "CAST('maybe' AS BOOLEAN): not a boolean"},
		{"CAST(n AS BOOLEAN)", boo, "[true true true false (null)]"},
		{"CAST('2026-11-21 10:00:00' AS TIMESTAMP)", tsW, "[2026-11-21 10:00:00 2026-11-21 10:00:00 2026-11-21 10:00:00 2026-11-21 10:00:00 2026-11-21 10:00:00]"},
		{"CAST('2026-11-21T10:00:00+02:00' AS DATETIME)", tsW, "[2026-11-21 08:00:00 2026-11-21 08:00:00 2026-11-21 08:00:00 2026-11-21 08:00:00 2026-11-21 08:00:00]"},
		{"CAST('2026-11-21 10:00:00.1234567' AS TIMESTAMP)", "", "7 fractional digits"},
		{"CAST(at AS TIMESTAMP)", tsU, "[2026-11-21 10:17:03.5 2026-11-21 10:59:59 1969-12-31 23:30:00 2026-11-21 00:00:00 (null)]"},
		{"CAST(d AS TIMESTAMP)", tsW, "[2026-11-21 00:00:00 2026-02-28 00:00:00 1969-12-31 00:00:00 2000-01-01 00:00:00 (null)]"},
		{"CAST(at AS DATE)", date, "[2026-11-21 2026-11-21 1969-12-31 2026-11-21 (null)]"},
		{"CAST('2026-11-21' AS DATE)", date, "[2026-11-21 2026-11-21 2026-11-21 2026-11-21 2026-11-21]"},
		{"CAST('2026-02-30' AS DATE)", "", "2026-02-30 is not a date"},
		{"TRY_CAST('2026-13-01' AS DATE)", date, "[(null) (null) (null) (null) (null)]"},
		{"CAST(NULL AS BIGINT)", i64, "[(null) (null) (null) (null) (null)]"},
		{"CAST(at AS BIGINT)", "", "cannot CAST TIMESTAMP (UTC) AS BIGINT (TO_UNIXTIME gives seconds)"},
		{"CAST(n AS TIMESTAMP)", "", "(FROM_UNIXTIME reads seconds)"},
		{"CAST(bin AS VARCHAR)", "", "cannot CAST BINARY AS VARCHAR"},
		{"CAST(n AS FOO)", "", "want a type (BIGINT, DOUBLE"},
		{"CAST(n AS DECIMAL)", "", "DECIMAL needs a precision and scale"},
		{"CAST(n AS DECIMAL(40,2))", "", "at most 38"},
		{"CAST(n AS VARCHAR(10))", "", "VARCHAR takes no length"},
	})
}

func TestMath(t *testing.T) {
	runCases(t, testBatch(t), nil, []evalCase{
		{"abs(n)", i64, "[5 3 200 0 (null)]"},
		{"abs(f)", f64, "[1.5 2 0 0.25 (null)]"},
		{"round(f / 3, 2)", f64, "[0.5 -0.67 0 0.08 (null)]"},
		{"round(1.005, 2)", f64, "[1.01 1.01 1.01 1.01 1.01]"},
		{"round(2.5)", f64, "[3 3 3 3 3]"},
		{"round(-2.5)", f64, "[-3 -3 -3 -3 -3]"},
		{"round(1234.5678, -2)", f64, "[1200 1200 1200 1200 1200]"},
		{"round(1250, -2)", i64, "[1300 1300 1300 1300 1300]"},
		{"round(-1250, -2)", i64, "[-1300 -1300 -1300 -1300 -1300]"},
		{"round(n)", i64, "[5 -3 200 0 (null)]"},
		{"round(9223372036854775807, -1)", "", "ROUND(9223372036854775807, -1) overflows BIGINT"},
		{"floor(f)", f64, "[1 -2 0 0 (null)]"},
		{"ceil(f)", f64, "[2 -2 0 1 (null)]"},
		{"ceiling(f - 1)", f64, "[1 -3 -1 0 (null)]"},
		{"floor(n)", i64, "[5 -3 200 0 (null)]"},
		{"sqrt(n)", f64, "[2.23606797749979 (null) 14.142135623730951 0 (null)]"},
		{"ln(n)", f64, "[1.6094379124341003 (null) 5.298317366548036 (null) (null)]"},
		{"power(2, 10)", f64, "[1024 1024 1024 1024 1024]"},
		{"pow(f, 2)", f64, "[2.25 4 0 0.0625 (null)]"},
		{"power(-8, 0.5)", f64, "[(null) (null) (null) (null) (null)]"},
		{"power(0, -1)", f64, "[(null) (null) (null) (null) (null)]"},
		{"power(10, 400)", "", "POWER(10, 400) overflows DOUBLE"},
		{"abs(s)", "", "ABS: argument 1 is VARCHAR, want BIGINT or DOUBLE or DECIMAL"},
	})
}

func TestRegexp(t *testing.T) {
	runCases(t, testBatch(t), nil, []evalCase{
		{"regexp_like(s, '^login')", boo, "[false true false false (null)]"},
		{"regexp_extract(s, '([a-z]+)@([a-z.]+)', 2)", str, `[(null) (null) "example.com" (null) (null)]`},
		{"regexp_extract(s, '[0-9.]+$')", str, `[(null) (null) "10.0.0.1" (null) (null)]`},
		{"regexp_extract(s, '(a)|(b)', 2)", str, `[(null) (null) "b" (null) (null)]`},
		{"regexp_replace(s, '[0-9]', '#')", str, `["  Hello World " "login_failed" "user bob@example.com from ##.#.#.#" "" (null)]`},
		{"regexp_replace(word, '(.)(.)', '$2$1')", str, `["bac" "BAC" "%ac" "éhllo" (null)]`},
		{"regexp_like(word, word)", boo, "[true true true true (null)]"},
		{"regexp_extract(word, word, 0)", str, `["abc" "ABC" "a%c" "héllo" (null)]`},
		{"regexp_extract(s, '(x)', 2)", "", "REGEXP_EXTRACT: group 2 does not exist; the pattern '(x)' has 1"},
		{"regexp_like(s, '(')", "", "position 16: REGEXP_LIKE: bad pattern '('"},
		{"regexp_like(word, concat(word, '('))", "", "REGEXP_LIKE: bad pattern 'abc('"},
		{"regexp_like(n, 'x')", "", "REGEXP_LIKE: argument 1 is BIGINT, want VARCHAR"},
	})
}

func TestCompileErrors(t *testing.T) {
	rec := testBatch(t)
	for _, tt := range []struct{ src, want string }{
		{"nope + 1", `position 1: unknown column "nope" (columns: n, big, u, f, f32, s, at, dt, d, price, qty, ok, bin, tags, Mixed Case, u8, word)`},
		{"n + nope", "position 5: unknown column"},
		{"'é' || nope", "position 8: unknown column"},
		{"frobnicate(n)", "position 1: unknown function FROBNICATE"},
		{"n > ", "position 5: the expression ends too early"},
		{"'open", "position 1: unterminated string"},
		{"n + + ", "position 7: the expression ends too early"},
		{"n n", `position 3: unexpected "n" after a complete expression`},
		{"n ? 1", "position 3: unexpected character '?'"},
		{"é", "position 1: unexpected character 'é'"},
		{"n IN ()", "position 3: IN () needs at least one value"},
		{"n IN 1", "IN wants a parenthesised list"},
		{"CASE END", "CASE needs at least one WHEN"},
		{"CASE WHEN ok THEN 1", "want END, got the end of the expression"},
		{"TIMESTAMP '2026-11-21 25:00:00'", "position 11: TIMESTAMP '2026-11-21 25:00:00': 25:00:00 is not a time of day"},
		{"DATE '2026-02-29'", "2026-02-29 is not a date"},
		{"INTERVAL '15' WEEK", "INTERVAL wants a unit SECOND, MINUTE, HOUR or DAY"},
		{"INTERVAL 'x' HOUR", "INTERVAL wants a whole number"},
		{"1e", "malformed number"},
		{"AND", "unexpected AND"},
		{"n BETWEEN 1 OR 2", "want AND"},
		{"sum(n)", "unknown function SUM"},
		{"`Mixed Case` + `mixed`", `unknown column "mixed"`},
	} {
		_, err := CompileString(tt.src, rec.Schema(), nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.src, err, tt.want)
		}
	}
}
