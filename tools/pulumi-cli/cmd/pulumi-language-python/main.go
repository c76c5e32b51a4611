// Command pulumi-language-python is a minimal Pulumi language host for Python programs.
//
// Why it exists: upstream's language host lives in its own Go module,
// github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3, and the Go module proxy this
// project can reach does not serve that module at any version, while it does serve
// github.com/pulumi/pulumi/sdk/v3 at the engine's version. This host is written against sdk/v3
// only (the gRPC protocol, rpcutil and the python/toolchain package that upstream's host uses), so
// it is built from the same verified go.sum and the same version as the `pulumi` binary.
//
// It does what the engine needs to preview, update, refresh and destroy a Python program whose
// dependencies are installed with pip (Pulumi.yaml `runtime.options.virtualenv`, or the python3
// on PATH): it runs the program through `pulumi-language-python-exec`, the script shipped in sdk/v3
// and installed beside this binary, exactly as upstream does (same arguments, PULUMI_CONFIG and
// PULUMI_CONFIG_SECRET_KEYS). It declares no plugin dependencies (dynamic providers are served by
// the bundled `pulumi-resource-pulumi-python`). Code generation, policy packs, plugins written in
// Python, debugging and the uv/poetry toolchains are left to the embedded Unimplemented server.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	// executorName is the script that runs a program under the Pulumi runtime; it sits beside this binary.
	executorName = "pulumi-language-python-exec"
	// userActionableExitCode is the executor's exit code after it has already reported the error to the user.
	userActionableExitCode = 32
)

func main() {
	tracing := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	flag.Parse() // also accepts the -v and -logtostderr flags the engine passes when logs flow
	logging.InitLogging(false, 0, false)
	engineAddress := flag.Arg(0)

	self, err := os.Executable()
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not determine current executable: %w", err))
	}
	executor := filepath.Join(filepath.Dir(self), executorName)
	if _, err := os.Stat(executor); err != nil {
		cmdutil.Exit(fmt.Errorf("missing executor %s: %w", executor, err))
	}

	// Stop serving on Ctrl-C or when the engine stops answering health checks, asked every second
	// (upstream asks every five minutes, so a host whose CLI was killed lingered that long; a local
	// health check costs next to nothing).
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		cancel()
		close(stop)
	}()
	if err := rpcutil.Healthcheck(ctx, engineAddress, time.Second, cancel); err != nil {
		cmdutil.Exit(fmt.Errorf("could not start health check: %w", err))
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &pythonHost{
				executor:      executor,
				engineAddress: engineAddress,
				tracing:       *tracing,
			})
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	fmt.Printf("%d\n", handle.Port) // the engine reads the port from the first line of stdout
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

// pythonHost implements the LanguageRuntimeServer RPCs the engine calls for a Python program.
type pythonHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	executor      string
	engineAddress string
	tracing       string
}

// pythonToolchain is the pip toolchain for the program described by info, with its virtualenv resolved
// against the project root.
func pythonToolchain(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	if info == nil {
		return nil, errors.New("missing program info")
	}
	options := toolchain.PythonOptions{Root: info.RootDirectory, ProgramDir: info.ProgramDirectory, Toolchain: toolchain.Pip}
	for name, value := range info.GetOptions().AsMap() {
		switch name {
		case "virtualenv":
			virtualenv, ok := value.(string)
			if !ok {
				return nil, errors.New("virtualenv option must be a string")
			}
			options.Virtualenv = virtualenv
		case "toolchain":
			if value != "pip" {
				return nil, fmt.Errorf("toolchain %v is not supported by this language host, only pip", value)
			}
		}
	}
	return toolchain.ResolveToolchain(options)
}

func (host *pythonHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	host.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (host *pythonHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPlugins reports none: the program's only provider is the bundled dynamic provider.
func (host *pythonHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetRequiredPackages reports none, for the same reason.
func (host *pythonHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// Run runs the program to completion with python from its virtualenv, output going to the engine.
func (host *pythonHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	configValues := req.GetConfig()
	if configValues == nil {
		configValues = map[string]string{} // a stack without config: "{}", not "null", for the SDK
	}
	config, err := json.Marshal(configValues)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	configSecretKeys, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration secret keys: %w", err)
	}

	cmd, err := tc.Command(ctx, append([]string{host.executor}, host.executorArguments(req)...)...)
	if err != nil {
		return nil, err
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(configSecretKeys))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr

	err = cmd.Run()
	// Flush what the program wrote so the engine shows it even when Python died early.
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == userActionableExitCode:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() > 0:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited unexpectedly: %v", exitErr)}, nil
	default:
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("problem executing program (could not run language executor): %v", err),
		}, nil
	}
}

// executorArguments is the command line of pulumi-language-python-exec for req.
func (host *pythonHost) executorArguments(req *pulumirpc.RunRequest) []string {
	var args []string
	for _, arg := range []struct{ name, value string }{
		{"monitor", req.GetMonitorAddress()},
		{"engine", host.engineAddress},
		{"project", req.GetProject()},
		{"stack", req.GetStack()},
		{"pwd", req.GetPwd()},
		{"dry_run", strconv.FormatBool(req.GetDryRun())},
		{"parallel", strconv.Itoa(int(req.GetParallel()))},
		{"tracing", host.tracing},
		{"organization", req.GetOrganization()},
		{"root_directory", req.GetInfo().GetRootDirectory()},
	} {
		if arg.value != "" {
			args = append(args, "--"+arg.name, arg.value)
		}
	}
	args = append(args, req.GetInfo().GetEntryPoint())
	return append(args, req.GetArgs()...)
}

// InstallDependencies creates the virtualenv and pip-installs requirements.txt into it (`pulumi install`).
func (host *pythonHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	tc, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	err = tc.InstallDependencies(server.Context(), req.GetInfo().GetProgramDirectory(),
		req.GetUseLanguageVersionTools(), true /*showOutput*/, stdout, stderr)
	if err != nil {
		return err
	}
	return closer.Close()
}

// About reports the python executable and version (`pulumi about`).
func (host *pythonHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: info.PythonExecutable, Version: info.PythonVersion.String()}, nil
}

// GetProgramDependencies lists the packages installed for the program (`pulumi about`).
func (host *pythonHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	packages, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	dependencies := make([]*pulumirpc.DependencyInfo, len(packages))
	for i, pkg := range packages {
		dependencies[i] = &pulumirpc.DependencyInfo{Name: pkg.Name, Version: pkg.Version}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: dependencies}, nil
}
