package ingest

import (
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/ingest/typemap"
)

// The validation checksum is order-independent: the sum over rows of
// CRC32 of the row's canonical text, which MySQL computes with
//
//	SUM(CRC32(CONCAT(e1, 0x1f, e2, ...)))   e = COALESCE(CONCAT('v', x), 'n')
//
// where x is the column as the text protocol prints it (HEX for bytes,
// the integer value for BIT, HEX of WKB for geometry). hetl computes the
// same from what it wrote, reading the files back, so a corrupted or
// truncated file is caught.

// checksumExpr is the SQL for one column's canonical text. With the
// zero-date policy "null", zero and invalid dates count as NULL, as they
// were written (DAYNAME is NULL exactly for those).
func checksumExpr(c source.Column, zeroDates typemap.ZeroDatePolicy) string {
	col := source.MustQuote(c.Name)
	var x string
	switch {
	case zeroDates == typemap.ZeroDateNull && (c.DataType == "date" || c.DataType == "datetime" || c.DataType == "timestamp"):
		x = "IF(DAYNAME(" + col + ") IS NULL, NULL, " + col + ")"
	case c.DataType == "float":
		x = "CAST(" + col + " AS DOUBLE)"
	case c.DataType == "bit":
		x = "CAST(" + col + " AS UNSIGNED)"
	case c.DataType == "geometry" || isGeometry(c.DataType):
		x = "HEX(ST_AsWKB(" + col + "))"
	case c.Charset == "binary":
		x = "HEX(" + col + ")"
	case c.IsText() || c.DataType == "json":
		x = "CONVERT(" + col + " USING utf8mb4)"
	default:
		x = col
	}
	return "COALESCE(CONCAT('v', " + x + "), 'n')"
}

func isGeometry(t string) bool {
	switch t {
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection":
		return true
	}
	return false
}

// checksumSQL builds the aggregate over cols for FROM/WHERE.
func checksumSQL(cols []source.Column, zeroDates typemap.ZeroDatePolicy, from, where string) string {
	parts := make([]string, 0, 2*len(cols))
	for i, c := range cols {
		if i > 0 {
			parts = append(parts, "0x1f")
		}
		parts = append(parts, checksumExpr(c, zeroDates))
	}
	row := "'-'"
	if len(parts) > 0 {
		row = "CONCAT(" + strings.Join(parts, ", ") + ")"
	}
	q := "SELECT COUNT(*), COALESCE(SUM(CRC32(" + row + ")), 0) FROM " + from
	if where != "" {
		q += " WHERE " + where
	}
	return q
}

// rowHasher accumulates the checksum of rows.
type rowHasher struct {
	buf   []byte
	Rows  int64
	Sum   uint64
	first bool
}

func (h *rowHasher) begin() { h.buf, h.first = h.buf[:0], true }

func (h *rowHasher) sep() {
	if !h.first {
		h.buf = append(h.buf, 0x1f)
	}
	h.first = false
}

func (h *rowHasher) null() { h.sep(); h.buf = append(h.buf, 'n') }

func (h *rowHasher) value(b []byte) {
	h.sep()
	h.buf = append(h.buf, 'v')
	h.buf = append(h.buf, b...)
}

func (h *rowHasher) end() {
	if len(h.buf) == 0 {
		h.buf = append(h.buf, '-')
	}
	h.Sum += uint64(crc32.ChecksumIEEE(h.buf))
	h.Rows++
}

// rawCanonical renders a text-protocol value the way checksumExpr does.
func rawCanonical(dst []byte, m typemap.Mapping, b []byte) []byte {
	switch m.Kind {
	case typemap.KindBit:
		var v uint64
		for _, x := range b {
			v = v<<8 | uint64(x)
		}
		return strconv.AppendUint(dst, v, 10)
	case typemap.KindBinary:
		return appendHexUpper(dst, b)
	case typemap.KindGeometry:
		if len(b) >= 4 {
			b = b[4:]
		}
		return appendHexUpper(dst, b)
	}
	return append(dst, b...)
}

func appendHexUpper(dst, b []byte) []byte {
	n := len(dst)
	dst = hex.AppendEncode(dst, b)
	for i := n; i < len(dst); i++ {
		if c := dst[i]; c >= 'a' && c <= 'f' {
			dst[i] = c - 'a' + 'A'
		}
	}
	return dst
}

// arrowCanonical renders value i of arr, written from mapping m, as MySQL
// prints it.
func arrowCanonical(dst []byte, m typemap.Mapping, arr arrow.Array, i int) ([]byte, error) {
	switch a := arr.(type) {
	case *array.Int8:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10), nil
	case *array.Int16:
		if m.Kind == typemap.KindYear && a.Value(i) == 0 {
			return append(dst, "0000"...), nil // MySQL prints YEAR 0 with four digits
		}
		return strconv.AppendInt(dst, int64(a.Value(i)), 10), nil
	case *array.Int32:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10), nil
	case *array.Int64:
		if m.Kind == typemap.KindTime {
			return appendTime(dst, a.Value(i), m.Column.FSP), nil
		}
		return strconv.AppendInt(dst, a.Value(i), 10), nil
	case *array.Uint8:
		return strconv.AppendUint(dst, uint64(a.Value(i)), 10), nil
	case *array.Uint16:
		return strconv.AppendUint(dst, uint64(a.Value(i)), 10), nil
	case *array.Uint32:
		return strconv.AppendUint(dst, uint64(a.Value(i)), 10), nil
	case *array.Uint64:
		return strconv.AppendUint(dst, a.Value(i), 10), nil
	case *array.Float32:
		return appendMySQLDouble(dst, float64(a.Value(i))), nil
	case *array.Float64:
		return appendMySQLDouble(dst, a.Value(i)), nil
	case *array.Decimal128:
		dt := a.DataType().(*arrow.Decimal128Type)
		return append(dst, decimalText(a.Value(i).BigInt().String(), int(dt.Scale))...), nil
	case *array.Date32:
		return a.Value(i).ToTime().AppendFormat(dst, "2006-01-02"), nil
	case *array.Timestamp:
		return appendDatetime(dst, int64(a.Value(i)), m.Column.FSP), nil
	case *array.String:
		return append(dst, a.Value(i)...), nil
	case *array.Binary:
		if m.Kind == typemap.KindBinary || m.Kind == typemap.KindGeometry {
			return appendHexUpper(dst, a.Value(i)), nil
		}
		return append(dst, a.Value(i)...), nil
	case *array.List:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues().(*array.String)
		for j := start; j < end; j++ {
			if j > start {
				dst = append(dst, ',')
			}
			dst = append(dst, vals.Value(int(j))...)
		}
		return dst, nil
	}
	return dst, fmt.Errorf("checksum: no rendering for %s", arr.DataType())
}

// decimalText places the decimal point in an unscaled integer's digits.
func decimalText(digits string, scale int) string {
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	if scale > 0 {
		for len(digits) <= scale {
			digits = "0" + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

func appendDatetime(dst []byte, us int64, fsp int) []byte {
	secs, frac := us/1e6, us%1e6
	if frac < 0 {
		secs--
		frac += 1e6
	}
	dst = time.Unix(secs, 0).UTC().AppendFormat(dst, "2006-01-02 15:04:05")
	return appendFraction(dst, frac, fsp)
}

func appendFraction(dst []byte, frac int64, fsp int) []byte {
	if fsp <= 0 {
		return dst
	}
	s := fmt.Sprintf("%06d", frac)
	return append(append(dst, '.'), s[:fsp]...)
}

func appendTime(dst []byte, us int64, fsp int) []byte {
	if us < 0 {
		dst = append(dst, '-')
		us = -us
	}
	secs, frac := us/1e6, us%1e6
	h, mi, s := secs/3600, secs/60%60, secs%60
	dst = fmt.Appendf(dst, "%02d:%02d:%02d", h, mi, s)
	return appendFraction(dst, frac, fsp)
}

// appendMySQLDouble prints a DOUBLE as MariaDB's text protocol does: the
// shortest digits that round-trip, plain when the decimal exponent is in
// [-15, 15), else d.ddde<exp> with no '+' and no leading zeros.
func appendMySQLDouble(dst []byte, v float64) []byte {
	if v == 0 {
		return append(dst, '0')
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], v, 'e', -1, 64)
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	i := strings.IndexByte(string(e), 'e')
	mant, expPart := e[:i], e[i+1:]
	exp, _ := strconv.Atoi(string(expPart))
	digits := make([]byte, 0, len(mant))
	for _, c := range mant {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	if neg {
		dst = append(dst, '-')
	}
	if exp < -15 || exp >= 15 {
		dst = append(dst, mant...)
		dst = append(dst, 'e')
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for k := 0; k < -exp-1; k++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	intLen := exp + 1
	if len(digits) <= intLen {
		dst = append(dst, digits...)
		for k := len(digits); k < intLen; k++ {
			dst = append(dst, '0')
		}
		return dst
	}
	dst = append(dst, digits[:intLen]...)
	dst = append(dst, '.')
	return append(dst, digits[intLen:]...)
}
