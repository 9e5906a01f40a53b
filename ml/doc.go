// Package ml will own the training batch: log templates, embeddings, window
// features, anomaly models, the model registry with human approval, and
// scoring.
//
// Nothing is implemented here yet; a later issue builds it.
package ml
