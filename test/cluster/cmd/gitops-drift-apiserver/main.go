// gitops-drift-apiserver runs a real, single-process Kubernetes control plane
// for tests: an embedded etcd plus the real kube-apiserver (the
// k8s.io/kubernetes/cmd/kube-apiserver/app package, run in-process), both on
// loopback ports that are free at start. It writes a kubeconfig with one
// context per test user (admin, ns-user, viewer), prints one line
//
//	READY {"kubeconfig":"...","server":"https://127.0.0.1:NNNN","startupMs":1234,...}
//
// to stdout and then runs until SIGINT/SIGTERM or until its stdin (when it is a
// pipe) closes, so a parent that dies leaves no orphan behind. No
// kube-controller-manager runs: no garbage collector, no namespace deletion,
// no service-account token controller, no pods scheduled.
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"go.etcd.io/etcd/server/v3/embed"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	basecompatibility "k8s.io/component-base/compatibility"
	"k8s.io/component-base/featuregate"
	logsapi "k8s.io/component-base/logs/api/v1"
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // as in cmd/kube-apiserver
	_ "k8s.io/component-base/metrics/prometheus/version"  // as in cmd/kube-apiserver
	"k8s.io/component-base/version"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
	"k8s.io/kubernetes/cmd/kube-apiserver/app/options"
)

const (
	nsTeamA          = "team-a"
	nsTeamB          = "team-b"
	serviceCIDR      = "10.96.0.0/16"
	serviceClusterIP = "10.96.0.1"
	clusterName      = "gitops-drift-real"
	readyTimeout     = 90 * time.Second
	shutdownTimeout  = 30 * time.Second
)

// Flux API groups the viewer may read (RBAC has no wildcards inside a group name).
var fluxGroups = []string{
	"source.toolkit.fluxcd.io",
	"kustomize.toolkit.fluxcd.io",
	"helm.toolkit.fluxcd.io",
	"notification.toolkit.fluxcd.io",
	"image.toolkit.fluxcd.io",
}

type user struct {
	name    string
	context string
	groups  []string
	ns      string // default namespace of the context
	token   string
}

type readyLine struct {
	Kubeconfig string            `json:"kubeconfig"`
	Server     string            `json:"server"`
	StartupMs  int64             `json:"startupMs"`
	Contexts   map[string]string `json:"contexts"`
	Dir        string            `json:"dir"`
	CA         string            `json:"ca"`
	Version    string            `json:"version"`
	Pid        int               `json:"pid"`
}

func main() { os.Exit(run()) }

func run() int {
	start := time.Now()
	var (
		dir, kubeconfigPath string
		keep, verbose       bool
		showVersion         bool
		logLevel            int
		extraArgs           []string
	)
	fs := pflag.NewFlagSet("gitops-drift-apiserver", pflag.ContinueOnError)
	fs.StringVar(&dir, "dir", "", "directory for certificates, tokens, kubeconfig, logs and etcd data (default: a new temporary directory, removed at exit)")
	fs.StringVar(&kubeconfigPath, "kubeconfig", "", "path of the kubeconfig to write (default: DIR/kubeconfig)")
	fs.BoolVar(&keep, "keep", false, "keep the directory (and etcd data) at exit")
	fs.BoolVar(&verbose, "verbose", false, "copy every apiserver/etcd log line to stderr (default: only errors; everything goes to DIR/apiserver.log)")
	fs.IntVarP(&logLevel, "v", "v", 0, "kube-apiserver klog verbosity")
	fs.BoolVar(&showVersion, "version", false, "print the Kubernetes version and exit")
	fs.StringArrayVar(&extraArgs, "apiserver-arg", nil, "extra kube-apiserver flag, e.g. --apiserver-arg=--feature-gates=X=true (repeatable)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	if showVersion {
		fmt.Printf("Kubernetes %s\n", version.Get().GitVersion)
		return 0
	}

	createdDir := false
	if dir == "" {
		d, err := os.MkdirTemp("", "gitops-drift-apiserver-")
		if err != nil {
			return fail("temp dir: %v", err)
		}
		dir, createdDir = d, true
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail("--dir: %v", err)
	}
	dir, _ = filepath.Abs(dir)
	if kubeconfigPath == "" {
		kubeconfigPath = filepath.Join(dir, "kubeconfig")
	}
	kubeconfigPath, _ = filepath.Abs(kubeconfigPath)
	etcdDir := filepath.Join(dir, "etcd-data")

	var cleanupOnce sync.Once
	cleanup := func() {
		cleanupOnce.Do(func() {
			if keep {
				logf("kept %s", dir)
				return
			}
			if createdDir {
				_ = os.RemoveAll(dir)
			} else {
				_ = os.RemoveAll(etcdDir)
			}
		})
	}
	defer cleanup()

	// Quiet logs: everything that klog, etcd and friends write to stderr goes
	// to DIR/apiserver.log; only error lines (or all, with --verbose) reach the
	// real stderr.
	restoreStderr, err := filterStderr(filepath.Join(dir, "apiserver.log"), verbose)
	if err != nil {
		return fail("log file: %v", err)
	}
	defer restoreStderr()

	// One context for the whole life: cancelled by the first SIGINT/SIGTERM or
	// by stdin closing. A second signal exits at once (still removing DIR).
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	// A parent that died leaves our stdout/stderr pipes without a reader:
	// get EPIPE from writes there instead of being killed by SIGPIPE before
	// the cleanup below has run.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	sigCh := make(chan os.Signal, 2)
	signal.Notify(sigCh, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		s := <-sigCh
		first := time.Now()
		cancel(fmt.Errorf("signal %v", s))
		// Ctrl-C reaches the whole process group, so a parent that forwards
		// it as SIGTERM sends a second signal at once: ignore repeats for 3 s.
		for range sigCh {
			if time.Since(first) > 3*time.Second {
				break
			}
		}
		logf("second signal: exiting now")
		cleanup()
		os.Exit(1)
	}()
	if watchesStdin() {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			cancel(errors.New("stdin closed"))
		}()
	}

	ports, err := freePorts(3)
	if err != nil {
		return fail("free ports: %v", err)
	}
	etcdClientPort, etcdPeerPort, securePort := ports[0], ports[1], ports[2]
	server := fmt.Sprintf("https://127.0.0.1:%d", securePort)

	// --- certificates, keys, tokens
	caPEM, err := writePKI(dir)
	if err != nil {
		return fail("certificates: %v", err)
	}
	users := []*user{
		{name: "admin", context: "admin", groups: []string{"system:masters"}, ns: "default"},
		{name: "ns-user", context: "ns-user", ns: nsTeamA},
		{name: "viewer", context: "viewer", ns: "default"},
	}
	var tokenCSV strings.Builder
	for _, u := range users {
		u.token = randomToken()
		fmt.Fprintf(&tokenCSV, "%s,%s,%s", u.token, u.name, u.name)
		if len(u.groups) > 0 {
			fmt.Fprintf(&tokenCSV, ",%q", strings.Join(u.groups, ","))
		}
		tokenCSV.WriteString("\n")
	}
	tokenFile := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokenFile, []byte(tokenCSV.String()), 0o600); err != nil {
		return fail("token file: %v", err)
	}

	// --- etcd
	etcd, err := startEtcd(etcdDir, etcdClientPort, etcdPeerPort)
	if err != nil {
		return fail("etcd: %v", err)
	}
	etcdClosed := false
	closeEtcd := func() {
		if !etcdClosed {
			etcdClosed = true
			etcd.Close()
		}
	}
	defer closeEtcd()
	select {
	case <-etcd.Server.ReadyNotify():
	case err := <-etcd.Err():
		return fail("etcd: %v", err)
	case <-time.After(30 * time.Second):
		return fail("etcd did not become ready in 30s")
	case <-ctx.Done():
		logf("stopped before etcd was ready: %v", context.Cause(ctx))
		return 0
	}

	// --- kube-apiserver
	args := []string{
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", etcdClientPort),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", securePort),
		"--cert-dir=" + dir,
		"--tls-cert-file=" + filepath.Join(dir, "apiserver.crt"),
		"--tls-private-key-file=" + filepath.Join(dir, "apiserver.key"),
		"--token-auth-file=" + tokenFile,
		"--authorization-mode=Node,RBAC",
		"--service-account-key-file=" + filepath.Join(dir, "sa.key"),
		"--service-account-signing-key-file=" + filepath.Join(dir, "sa.key"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-cluster-ip-range=" + serviceCIDR,
		"--endpoint-reconciler-type=none",
		"--allow-privileged=true",
		"--profiling=false",
		fmt.Sprintf("-v=%d", logLevel),
	}
	args = append(args, extraArgs...)
	apiErr, err := startAPIServer(ctx, args)
	if err != nil {
		return fail("kube-apiserver: %v", err)
	}
	stopAPIServer := func() {
		cancel(errors.New("shutting down"))
		select {
		case err := <-apiErr:
			if err != nil {
				logf("kube-apiserver stopped: %v", err)
			}
		case <-time.After(shutdownTimeout):
			logf("kube-apiserver did not stop within %v", shutdownTimeout)
		}
	}

	admin := &rest.Config{
		Host:            server,
		BearerToken:     users[0].token,
		TLSClientConfig: rest.TLSClientConfig{CAData: caPEM},
		QPS:             100,
		Burst:           200,
	}
	client, err := kubernetes.NewForConfig(admin)
	if err != nil {
		stopAPIServer()
		return fail("client: %v", err)
	}
	if err := waitReady(ctx, client, apiErr); err != nil {
		if ctx.Err() != nil {
			logf("stopped before ready: %v", context.Cause(ctx))
			stopAPIServer()
			return 0
		}
		stopAPIServer()
		return fail("%v (log: %s)", err, filepath.Join(dir, "apiserver.log"))
	}
	if err := bootstrap(ctx, client); err != nil {
		stopAPIServer()
		return fail("bootstrap objects: %v", err)
	}
	if err := writeKubeconfig(kubeconfigPath, server, caPEM, users); err != nil {
		stopAPIServer()
		return fail("kubeconfig: %v", err)
	}

	contexts := map[string]string{}
	for _, u := range users {
		contexts[u.name] = u.context
	}
	line, _ := json.Marshal(readyLine{
		Kubeconfig: kubeconfigPath,
		Server:     server,
		StartupMs:  time.Since(start).Milliseconds(),
		Contexts:   contexts,
		Dir:        dir,
		CA:         filepath.Join(dir, "ca.crt"),
		Version:    version.Get().GitVersion,
		Pid:        os.Getpid(),
	})
	heldMu.Lock()
	heldErrors = nil
	heldMu.Unlock()
	logPhase.Store(phaseRunning)
	fmt.Fprintf(os.Stdout, "READY %s\n", line)

	exit := 0
	select {
	case <-ctx.Done():
		logPhase.Store(phaseStopping)
		logf("stopping (%v)", context.Cause(ctx))
		stopAPIServer()
	case err := <-apiErr:
		exit = fail("kube-apiserver exited: %v", err)
		cancel(errors.New("apiserver exited"))
	case err := <-etcd.Err():
		exit = fail("etcd failed: %v", err)
		stopAPIServer()
	}
	closeEtcd()
	klog.Flush()
	return exit
}

// startAPIServer does what app.NewAPIServerCommand's RunE does, but with our
// own context (NewAPIServerCommand installs its own signal handler, which a
// closing stdin could not trigger).
func startAPIServer(ctx context.Context, args []string) (<-chan error, error) {
	s := options.NewServerRunOptions()
	featureGate := s.GenericServerRunOptions.ComponentGlobalsRegistry.FeatureGateFor(basecompatibility.DefaultKubeComponent)
	fs := pflag.NewFlagSet("kube-apiserver", pflag.ContinueOnError)
	for _, f := range s.Flags().FlagSets {
		fs.AddFlagSet(f)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if err := s.GenericServerRunOptions.ComponentGlobalsRegistry.Set(); err != nil {
		return nil, err
	}
	// kube-apiserver loopback clients should not log self-issued warnings.
	rest.SetDefaultWarningHandler(rest.NoWarnings{})
	if err := logsapi.ValidateAndApply(s.Logs, featureGate); err != nil {
		return nil, err
	}
	completed, err := s.Complete(ctx)
	if err != nil {
		return nil, err
	}
	if errs := completed.Validate(); len(errs) != 0 {
		return nil, utilerrors.NewAggregate(errs)
	}
	featureGate.(featuregate.MutableFeatureGate).AddMetrics()
	s.GenericServerRunOptions.ComponentGlobalsRegistry.AddMetrics()
	errCh := make(chan error, 1)
	go func() { errCh <- app.Run(ctx, completed) }()
	return errCh, nil
}

func waitReady(ctx context.Context, client kubernetes.Interface, apiErr <-chan error) error {
	deadline := time.Now().Add(readyTimeout)
	last := ""
	for {
		select {
		case err := <-apiErr:
			return fmt.Errorf("kube-apiserver exited before ready: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(rctx)
		if err == nil {
			_, err = client.CoreV1().Namespaces().Get(rctx, "default", metav1.GetOptions{})
		}
		rcancel()
		if err == nil {
			return nil
		}
		last = strings.TrimSpace(string(body))
		if last == "" {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %s", readyTimeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// bootstrap creates the test namespaces, their default service accounts (no
// controller-manager runs to create them) and the RBAC objects of ns-user and viewer.
func bootstrap(ctx context.Context, c kubernetes.Interface) error {
	for _, ns := range []string{nsTeamA, nsTeamB} {
		if err := ignoreExists(c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})); err != nil {
			return err
		}
	}
	for _, ns := range []string{"default", nsTeamA, nsTeamB} {
		if err := ignoreExists(c.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})); err != nil {
			return err
		}
	}
	for _, ns := range []string{nsTeamA, nsTeamB} {
		role := &rbacv1.Role{
			ObjectMeta: metav1.ObjectMeta{Name: "gitops-drift-ns-user", Namespace: ns},
			Rules:      []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}},
		}
		if err := ignoreExists(c.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{})); err != nil {
			return err
		}
		rb := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "gitops-drift-ns-user", Namespace: ns},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "ns-user"}},
		}
		if err := ignoreExists(c.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{})); err != nil {
			return err
		}
	}
	if err := aggregateClusterRoles(ctx, c); err != nil {
		return fmt.Errorf("aggregating cluster roles: %w", err)
	}
	gitopsRead := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "gitops-drift-gitops-read"},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: append([]string{"argoproj.io"}, fluxGroups...),
			Resources: []string{"*"},
			Verbs:     []string{"get", "list", "watch"},
		}},
	}
	if err := ignoreExists(c.RbacV1().ClusterRoles().Create(ctx, gitopsRead, metav1.CreateOptions{})); err != nil {
		return err
	}
	for name, role := range map[string]string{"gitops-drift-viewer-view": "view", "gitops-drift-viewer-gitops": gitopsRead.Name} {
		crb := &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: "viewer"}},
		}
		if err := ignoreExists(c.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{})); err != nil {
			return err
		}
	}
	return nil
}

// aggregateClusterRoles fills the rules of aggregated ClusterRoles (view, edit,
// admin) once, as kube-controller-manager's clusterrole-aggregation controller
// would: the bootstrap policy creates them with empty rules. Roles created
// later (e.g. a CRD's aggregate-to-view role) are not folded in.
func aggregateClusterRoles(ctx context.Context, c kubernetes.Interface) error {
	for range 2 { // twice, so that one level of nesting settles too
		list, err := c.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		for i := range list.Items {
			target := &list.Items[i]
			if target.AggregationRule == nil {
				continue
			}
			var rules []rbacv1.PolicyRule
			seen := map[string]bool{}
			for _, sel := range target.AggregationRule.ClusterRoleSelectors {
				selector, err := metav1.LabelSelectorAsSelector(&sel)
				if err != nil {
					return err
				}
				for j := range list.Items {
					src := &list.Items[j]
					if src.Name == target.Name || !selector.Matches(labels.Set(src.Labels)) {
						continue
					}
					for _, r := range src.Rules {
						key := r.String()
						if !seen[key] {
							seen[key] = true
							rules = append(rules, r)
						}
					}
				}
			}
			if equality.Semantic.DeepEqual(rules, target.Rules) {
				continue
			}
			target.Rules = rules
			if _, err := c.RbacV1().ClusterRoles().Update(ctx, target, metav1.UpdateOptions{}); err != nil {
				return err
			}
		}
	}
	return nil
}

func ignoreExists[T any](_ T, err error) error {
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}

func writeKubeconfig(path, server string, caPEM []byte, users []*user) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[clusterName] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	for _, u := range users {
		cfg.AuthInfos[u.name] = &clientcmdapi.AuthInfo{Token: u.token}
		cfg.Contexts[u.context] = &clientcmdapi.Context{Cluster: clusterName, AuthInfo: u.name, Namespace: u.ns}
	}
	cfg.CurrentContext = "admin"
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return clientcmd.WriteToFile(*cfg, path)
}

func startEtcd(dataDir string, clientPort, peerPort int) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Name = "gitops-drift"
	cfg.Dir = dataDir
	cu := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", clientPort)}
	pu := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", peerPort)}
	cfg.ListenClientUrls = []url.URL{cu}
	cfg.AdvertiseClientUrls = []url.URL{cu}
	cfg.ListenPeerUrls = []url.URL{pu}
	cfg.AdvertisePeerUrls = []url.URL{pu}
	cfg.InitialCluster = fmt.Sprintf("%s=%s", cfg.Name, pu.String())
	cfg.Logger = "zap"
	cfg.LogLevel = "error"
	cfg.LogOutputs = []string{"stderr"}
	cfg.UnsafeNoFsync = true // throw-away test data: no fsync, much faster on slow disks
	cfg.QuotaBackendBytes = 2 << 30
	return embed.StartEtcd(cfg)
}

// writePKI writes ca.crt, apiserver.crt/.key and sa.key into dir and returns the CA PEM.
func writePKI(dir string) ([]byte, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "gitops-drift-test-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP(serviceClusterIP)},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	files := map[string][]byte{
		"ca.crt":        caPEM,
		"apiserver.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}),
		"apiserver.key": ecKeyPEM(srvKey),
		"sa.key":        ecKeyPEM(saKey),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return nil, err
		}
	}
	return caPEM, nil
}

func ecKeyPEM(k *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(err)
	}
	return n.Add(n, big.NewInt(1))
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// freePorts asks the kernel for n distinct free loopback ports (all held open
// together, then released just before use).
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// watchesStdin reports whether stdin is a pipe or socket: then its closing
// means the parent is gone. A terminal or /dev/null is not watched.
func watchesStdin() bool {
	fi, err := os.Stdin.Stat()
	if err != nil {
		return false
	}
	m := fi.Mode()
	return m&os.ModeNamedPipe != 0 || m&os.ModeSocket != 0
}

// Which log lines reach the real stderr (without --verbose).
const (
	phaseStarting int32 = iota // error lines are held back: start-up has some harmless ones; shown if start-up fails
	phaseRunning               // error lines are shown
	phaseStopping              // nothing is shown: etcd and the apiserver log closed connections as errors
)

var (
	logPhase   atomic.Int32
	heldMu     sync.Mutex
	heldErrors []string
)

// showHeldErrors prints the error lines held back during start-up (on a failed start).
func showHeldErrors() {
	heldMu.Lock()
	defer heldMu.Unlock()
	for _, l := range heldErrors {
		fmt.Fprintln(realStderr, l)
	}
	heldErrors = nil
}

var (
	realStderr = os.Stderr
	// klog error/fatal lines ("E0102 15:04:05.000000 ...") and zap error JSON.
	errorLine = regexp.MustCompile(`^[EF]\d{4} |"level":"(error|fatal|panic)"|^panic: `)
)

// filterStderr points os.Stderr (which klog's text logger and etcd's zap
// logger write to) at a pipe whose lines all go to logPath; error lines (or
// every line with verbose) are copied to the real stderr too.
func filterStderr(logPath string, verbose bool) (func(), error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	os.Stderr = w
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(f, line)
			switch {
			case verbose:
				fmt.Fprintln(realStderr, line)
			case !errorLine.MatchString(line):
			case logPhase.Load() == phaseRunning:
				fmt.Fprintln(realStderr, line)
			case logPhase.Load() == phaseStarting:
				heldMu.Lock()
				if heldErrors = append(heldErrors, line); len(heldErrors) > 50 {
					heldErrors = heldErrors[1:]
				}
				heldMu.Unlock()
			}
		}
		// The scanner stops on a line too long; keep draining so writers never block.
		_, _ = io.Copy(f, r)
	}()
	return func() {
		os.Stderr = realStderr
		_ = w.Close()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
		_ = f.Close()
	}, nil
}

func logf(format string, a ...any) {
	fmt.Fprintf(realStderr, "gitops-drift-apiserver: "+format+"\n", a...)
}

func fail(format string, a ...any) int {
	if logPhase.Load() == phaseStarting {
		showHeldErrors()
	}
	logf("error: "+format, a...)
	return 1
}
