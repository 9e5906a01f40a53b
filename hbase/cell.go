package hbase

import (
	"context"
	"fmt"

	"github.com/hetl/hetl/hbase/internal/thrift2"
)

// Cell is one value of a row: family:qualifier at a timestamp (milliseconds
// since the Unix epoch; 0 on Put lets the region server use its clock).
type Cell struct {
	Family    string
	Qualifier string
	Value     []byte
	Timestamp int64
}

// Put writes cells into one row, atomically.
func (c *Client) Put(ctx context.Context, table TableName, row []byte, cells []Cell) error {
	op := "put " + table.String()
	if err := table.validate(); err != nil {
		return err
	}
	if len(row) == 0 {
		return fmt.Errorf("hbase %s: empty row key", op)
	}
	if len(cells) == 0 {
		return fmt.Errorf("hbase %s: no cells", op)
	}
	put := &thrift2.TPut{Row: row}
	for _, cell := range cells {
		if cell.Family == "" {
			return fmt.Errorf("hbase %s: cell %q has no family", op, cell.Qualifier)
		}
		cv := &thrift2.TColumnValue{Family: []byte(cell.Family), Qualifier: []byte(cell.Qualifier), Value: cell.Value}
		if cell.Timestamp != 0 {
			cv.Timestamp = &cell.Timestamp
		}
		put.ColumnValues = append(put.ColumnValues, cv)
	}
	err := c.call(ctx, op, func(svc *thrift2.THBaseServiceClient) error {
		return svc.Put(ctx, table.bytes(), put)
	})
	return c.notFoundIfMissing(ctx, table, err)
}

// Get reads the newest version of every cell of a row. A missing row gives no
// cells and no error.
func (c *Client) Get(ctx context.Context, table TableName, row []byte) ([]Cell, error) {
	op := "get " + table.String()
	if err := table.validate(); err != nil {
		return nil, err
	}
	if len(row) == 0 {
		return nil, fmt.Errorf("hbase %s: empty row key", op)
	}
	var res *thrift2.TResult_
	err := c.call(ctx, op, func(svc *thrift2.THBaseServiceClient) error {
		var err error
		res, err = svc.Get(ctx, table.bytes(), &thrift2.TGet{Row: row})
		return err
	})
	if err != nil {
		return nil, c.notFoundIfMissing(ctx, table, err)
	}
	cells := make([]Cell, 0, len(res.GetColumnValues()))
	for _, cv := range res.GetColumnValues() {
		cells = append(cells, Cell{
			Family:    string(cv.GetFamily()),
			Qualifier: string(cv.GetQualifier()),
			Value:     cv.GetValue(),
			Timestamp: cv.GetTimestamp(),
		})
	}
	return cells, nil
}
