//go:build tools

// Package tools pins the Pulumi CLI's main package so that `go mod tidy` keeps
// it, and its exact dependency graph, in go.mod and go.sum.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
