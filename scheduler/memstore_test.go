package scheduler_test

import (
	"testing"

	"github.com/hetl/hetl/scheduler"
	"github.com/hetl/hetl/scheduler/storetest"
)

func TestMemStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) scheduler.Store { return scheduler.NewMemStore() })
}
