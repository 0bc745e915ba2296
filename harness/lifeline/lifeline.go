// Package lifeline ties the harness's child processes to the test that
// starts them, so a test binary killed by its timeout leaves no servers
// behind to hold ports and databases in the next run.
package lifeline
