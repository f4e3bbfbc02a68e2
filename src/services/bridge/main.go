// Command bridge forwards connections between a Unix socket and a TCP address while it runs
// a command, so that a server that speaks only TCP (nats-server) is reachable from a job's
// sandboxed Go runs without a port on the worker's network:
//
//	next to the server, in the server's own network namespace:
//	  bridge -wait -forward unix:/job/run/nats.sock=tcp:127.0.0.1:4222 -- nats-server -a 127.0.0.1 -p 4222
//	inside a Go run's sandbox (its own network namespace, only loopback):
//	  bridge -forward tcp:127.0.0.1:4222=unix:/job/run/nats.sock -- go test ./...
//
// It exits with the command's status. -wait starts the command first and listens only once
// every target accepts connections, so the socket's existence means the server is ready.
// Standard library only: the app builds it offline on first need (bridge-program.ts).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type forward struct {
	listen, target addr
}

type addr struct {
	network, address string
}

func (a addr) String() string { return a.network + ":" + a.address }

func parseAddr(s string) (addr, error) {
	network, address, ok := strings.Cut(s, ":")
	if !ok || address == "" || (network != "unix" && network != "tcp") {
		return addr{}, fmt.Errorf("%q: want unix:/path or tcp:host:port", s)
	}
	return addr{network, address}, nil
}

type forwards []forward

func (f *forwards) String() string { return fmt.Sprint(*f) }

func (f *forwards) Set(v string) error {
	l, t, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("%q: want LISTEN=TARGET", v)
	}
	listen, err := parseAddr(l)
	if err != nil {
		return err
	}
	target, err := parseAddr(t)
	if err != nil {
		return err
	}
	*f = append(*f, forward{listen, target})
	return nil
}

func main() {
	var fwd forwards
	flag.Var(&fwd, "forward", "LISTEN=TARGET, each unix:/path or tcp:host:port (repeatable)")
	wait := flag.Bool("wait", false, "start the command first; listen once every target accepts connections")
	waitFor := flag.Duration("wait-timeout", 30*time.Second, "how long -wait waits")
	flag.Parse()
	if len(fwd) == 0 || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: bridge -forward LISTEN=TARGET [-wait] -- command [args...]")
		os.Exit(2)
	}
	os.Exit(run(fwd, *wait, *waitFor, flag.Args()))
}

func run(fwd forwards, wait bool, waitFor time.Duration, argv []string) int {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// The command gets the signals that would have stopped us; we exit when it does.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT)

	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	listenAll := func() error {
		for _, f := range fwd {
			l, err := listen(f.listen)
			if err != nil {
				return err
			}
			listeners = append(listeners, l)
			go serve(l, f.target)
		}
		return nil
	}

	if !wait {
		if err := listenAll(); err != nil {
			fmt.Fprintf(os.Stderr, "bridge: %v\n", err)
			return 1
		}
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "bridge: %v\n", err)
		return 127
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if wait {
		if err := waitTargets(fwd, waitFor, done); err != nil {
			fmt.Fprintf(os.Stderr, "bridge: %v\n", err)
			_ = cmd.Process.Kill()
			return 1
		}
		if err := listenAll(); err != nil {
			fmt.Fprintf(os.Stderr, "bridge: %v\n", err)
			_ = cmd.Process.Kill()
			return 1
		}
	}
	for {
		select {
		case s := <-signals:
			_ = cmd.Process.Signal(s)
		case err := <-done:
			return exitCode(err)
		}
	}
}

func exitCode(err error) int {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exit.ExitCode()
	}
	if err != nil {
		return 1
	}
	return 0
}

// waitTargets returns once each target accepts a connection, or fails when the command
// exits first or the time is up.
func waitTargets(fwd forwards, waitFor time.Duration, done chan error) error {
	deadline := time.Now().Add(waitFor)
	for _, f := range fwd {
		for {
			c, err := net.DialTimeout(f.target.network, f.target.address, time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case exit := <-done:
				done <- exit
				return fmt.Errorf("the command exited before %s accepted connections (%v)", f.target, exit)
			case <-time.After(20 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s did not accept connections within %s: %v", f.target, waitFor, err)
			}
		}
	}
	return nil
}

func listen(a addr) (net.Listener, error) {
	if a.network == "unix" {
		// A socket left by a bridge that was killed would refuse the new one.
		if fi, err := os.Lstat(a.address); err == nil && fi.Mode()&os.ModeSocket != 0 {
			_ = os.Remove(a.address)
		}
	}
	l, err := net.Listen(a.network, a.address)
	if err != nil {
		return nil, err
	}
	if a.network == "unix" {
		// Reached by the job's runs, whatever user they run as; the directory is what guards it.
		if err := os.Chmod(a.address, 0o777); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

func serve(l net.Listener, target addr) {
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go pipe(c, target)
	}
}

// pipe copies both ways until both sides are done; a half-close is passed on.
func pipe(c net.Conn, target addr) {
	defer c.Close()
	t, err := net.DialTimeout(target.network, target.address, 10*time.Second)
	if err != nil {
		return
	}
	defer t.Close()
	copied := make(chan struct{}, 2)
	go func() { copyHalf(t, c); copied <- struct{}{} }()
	go func() { copyHalf(c, t); copied <- struct{}{} }()
	<-copied
	<-copied
}

type closeWriter interface{ CloseWrite() error }

func copyHalf(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	if cw, ok := dst.(closeWriter); ok {
		_ = cw.CloseWrite()
	} else {
		_ = dst.Close()
	}
}
