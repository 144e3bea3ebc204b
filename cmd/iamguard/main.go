// Command iamguard keeps AWS access least-privilege and AWS changes safe.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/iamguard/iamguard/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
