//go:build tools

// Package tools names the command build.sh compiles (the etcd server's main package is
// the module root), so that `go mod tidy` keeps its dependencies in go.sum.
package tools

import _ "go.etcd.io/etcd/server/v3"
