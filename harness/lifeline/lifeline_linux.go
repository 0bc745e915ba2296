package lifeline

import (
	"os/exec"
	"syscall"
)

// Tie makes the kernel kill cmd's process when the process that started it
// dies, however it dies. Call it before cmd.Start.
func Tie(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
