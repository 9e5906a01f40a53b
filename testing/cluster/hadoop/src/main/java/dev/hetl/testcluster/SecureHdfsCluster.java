package dev.hetl.testcluster;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivilegedExceptionAction;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.minikdc.MiniKdc;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.kerby.kerberos.kerb.client.KrbClient;
import org.apache.kerby.kerberos.kerb.type.ticket.TgtTicket;

/**
 * Starts a Kerberized HDFS for hetl's tests: a MiniKdc (Apache Kerby) and a MiniDFSCluster (one namenode, one
 * datanode) that accepts only Kerberos on RPC, hands out block access tokens and asks for SASL on the data
 * path (dfs.data.transfer.protection=authentication) instead of privileged datanode ports. It runs in its own
 * JVM because Hadoop's security settings (UserGroupInformation) are global to a process.
 *
 * <p>Once a client logged in from the client keytab has written and read back a file, it writes CONF_DIR
 * (core-site.xml, hdfs-site.xml, krb5.conf, the client keytab) and ENV_FILE, then blocks until told to stop.
 *
 * <p>Usage: SecureHdfsCluster WORK_DIR CONF_DIR ENV_FILE
 */
public final class SecureHdfsCluster {
  /** The client principal the Go tests log in as (its keytab is CONF_DIR/hetl.keytab). */
  static final String CLIENT = "hetl";
  /** Service principals; "localhost" because every server binds 127.0.0.1 and is named so. */
  static final String HDFS_SERVICE = "hdfs/localhost";
  static final String HTTP_SERVICE = "HTTP/localhost";

  private SecureHdfsCluster() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: SecureHdfsCluster WORK_DIR CONF_DIR ENV_FILE");
      System.exit(2);
    }
    File work = new File(args[0]).getAbsoluteFile();
    File confDir = new File(args[1]).getAbsoluteFile();
    Path envFile = new File(args[2]).getAbsoluteFile().toPath();
    File kdcDir = new File(work, "kdc");
    Files.createDirectories(kdcDir.toPath());
    Files.createDirectories(confDir.toPath());

    // The KDC first: it sets java.security.krb5.conf, which Hadoop's Kerberos classes read once, when
    // they are first used (the default realm of auth_to_local, for one).
    Properties kdcConf = MiniKdc.createConf();
    kdcConf.setProperty(MiniKdc.KDC_BIND_ADDRESS, "127.0.0.1");
    MiniKdc kdc = new MiniKdc(kdcConf, kdcDir);
    kdc.start();
    String realm = kdc.getRealm();
    File serviceKeytab = new File(kdcDir, "hdfs.keytab");
    kdc.createPrincipal(serviceKeytab, HDFS_SERVICE, HTTP_SERVICE);
    File clientKeytab = new File(confDir, CLIENT + ".keytab");
    Files.deleteIfExists(clientKeytab.toPath());
    kdc.createPrincipal(clientKeytab, CLIENT);
    ownerOnly(clientKeytab.toPath());
    String hdfsPrincipal = HDFS_SERVICE + "@" + realm;
    String clientPrincipal = CLIENT + "@" + realm;
    // A ticket cache too, as kinit would leave it, for clients without a keytab; renewed while the cluster runs.
    Path ccache = confDir.toPath().resolve(CLIENT + ".ccache");
    kinit(kdc, clientKeytab.toPath(), clientPrincipal, ccache);
    ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ccache-refresh");
      t.setDaemon(true);
      return t;
    });
    refresher.scheduleWithFixedDelay(() -> {
      try {
        kinit(kdc, clientKeytab.toPath(), clientPrincipal, ccache);
      } catch (Exception e) {
        e.printStackTrace();
      }
    }, 1, 1, TimeUnit.HOURS);

    Configuration conf = new HdfsConfiguration();
    conf.set("hadoop.tmp.dir", new File(work, "tmp").getPath());
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(work, "dfs").getPath());
    conf.setLong("dfs.namenode.fs-limits.min-block-size", 1024 * 1024);
    conf.setLong("dfs.blocksize", 1024 * 1024);
    conf.setInt("dfs.replication", 1);
    conf.set("hadoop.security.authentication", "kerberos");
    conf.setBoolean("hadoop.security.authorization", true);
    conf.set("dfs.namenode.kerberos.principal", hdfsPrincipal);
    conf.set("dfs.namenode.keytab.file", serviceKeytab.getPath());
    conf.set("dfs.datanode.kerberos.principal", hdfsPrincipal);
    conf.set("dfs.datanode.keytab.file", serviceKeytab.getPath());
    conf.set("dfs.web.authentication.kerberos.principal", HTTP_SERVICE + "@" + realm);
    conf.set("dfs.web.authentication.kerberos.keytab", serviceKeytab.getPath());
    conf.setBoolean("dfs.block.access.token.enable", true);
    // SASL (DIGEST-MD5 with the block token) on the datanode's data port instead of a privileged port.
    conf.set("dfs.data.transfer.protection", "authentication");
    // A secure datanode on unprivileged ports also wants its web UI on HTTPS only (keystores, ssl-server.xml
    // on the classpath). hetl never speaks HTTP to HDFS, so the web UIs stay on HTTP and this flag skips
    // only that start-up check; the data port still requires SASL (dfs.data.transfer.protection).
    conf.set("dfs.http.policy", "HTTP_ONLY");
    conf.setBoolean("ignore.secure.ports.for.testing", true);

    UserGroupInformation.setConfiguration(conf);
    UserGroupInformation.loginUserFromKeytab(hdfsPrincipal, serviceKeytab.getPath());

    MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf)
        .numDataNodes(1)
        .format(true)
        .build();
    dfs.waitActive();
    String defaultFS = "hdfs://127.0.0.1:" + dfs.getNameNodePort();

    // The login user (hdfs) is the HDFS superuser: open directories for the test users.
    FileSystem fs = dfs.getFileSystem();
    for (String dir : new String[] {"/", "/tmp", "/user", "/warehouse"}) {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir);
      fs.mkdirs(p);
      fs.setPermission(p, new FsPermission((short) 01777));
    }

    // Ready means a Kerberos client can write and read a block: prove it with the client keytab.
    Configuration clientConf = new Configuration(conf);
    clientConf.set("fs.defaultFS", defaultFS);
    UserGroupInformation client =
        UserGroupInformation.loginUserFromKeytabAndReturnUGI(clientPrincipal, clientKeytab.getPath());
    client.doAs((PrivilegedExceptionAction<Void>) () -> {
      probe(clientConf);
      return null;
    });

    Map<String, String> core = new LinkedHashMap<>();
    core.put("fs.defaultFS", defaultFS);
    core.put("hadoop.security.authentication", "kerberos");
    core.put("hadoop.rpc.protection", conf.get("hadoop.rpc.protection", "authentication"));
    HadoopCluster.writeSite(confDir.toPath().resolve("core-site.xml"), core);
    Map<String, String> hdfs = new LinkedHashMap<>();
    hdfs.put("dfs.replication", "1");
    hdfs.put("dfs.blocksize", "1048576");
    hdfs.put("dfs.namenode.rpc-address", "127.0.0.1:" + dfs.getNameNodePort());
    hdfs.put("dfs.namenode.kerberos.principal", hdfsPrincipal);
    hdfs.put("dfs.datanode.kerberos.principal", hdfsPrincipal);
    hdfs.put("dfs.block.access.token.enable", "true");
    hdfs.put("dfs.data.transfer.protection", "authentication");
    HadoopCluster.writeSite(confDir.toPath().resolve("hdfs-site.xml"), hdfs);
    Path krb5 = confDir.toPath().resolve("krb5.conf");
    HadoopCluster.writeAtomically(krb5, krb5Conf(realm, kdc.getPort()));

    String env = "export HETL_TEST_HDFS_SECURE=" + defaultFS + "\n"
        + "export HETL_TEST_HDFS_SECURE_CONF_DIR=" + confDir.getPath() + "\n"
        + "export HETL_TEST_HDFS_SECURE_KRB5_CONFIG=" + krb5 + "\n"
        + "export HETL_TEST_HDFS_SECURE_KEYTAB=" + clientKeytab.getPath() + "\n"
        + "export HETL_TEST_HDFS_SECURE_PRINCIPAL=" + clientPrincipal + "\n"
        + "export HETL_TEST_HDFS_SECURE_CCACHE=" + ccache + "\n"
        + "export HETL_TEST_HDFS_SECURE_KDC=127.0.0.1:" + kdc.getPort() + "\n"
        + "export HETL_TEST_HDFS_SECURE_PID=" + ProcessHandle.current().pid() + "\n";
    CountDownLatch stop = HadoopCluster.stopOnSignal();
    HadoopCluster.writeAtomically(envFile, env);
    System.err.println("SecureHdfsCluster: ready: HDFS " + defaultFS + " (Kerberos realm " + realm
        + ", KDC 127.0.0.1:" + kdc.getPort() + ", client " + clientPrincipal + ")");
    stop.await();

    System.err.println("SecureHdfsCluster: stopping");
    Files.deleteIfExists(envFile);
    refresher.shutdownNow();
    try {
      dfs.shutdown();
    } finally {
      kdc.stop();
    }
    System.err.println("SecureHdfsCluster: stopped");
    System.exit(0);
  }

  /**
   * Writes a ticket cache (MIT format) of principal, logged in from its keytab with Kerby's client, to a temp
   * file first so a reader never sees half a cache. (Linux JDKs have no kinit, and MIT's is not installed.)
   */
  private static void kinit(MiniKdc kdc, Path keytab, String principal, Path ccache) throws Exception {
    KrbClient client = new KrbClient();
    client.setKdcRealm(kdc.getRealm());
    client.setKdcHost("127.0.0.1");
    client.setKdcTcpPort(kdc.getPort());
    client.setAllowTcp(true);
    client.setAllowUdp(false);
    client.init();
    TgtTicket tgt = client.requestTgt(principal, keytab.toFile());
    Path tmp = ccache.resolveSibling(ccache.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    client.storeTicket(tgt, tmp.toFile());
    ownerOnly(tmp);
    Files.move(tmp, ccache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Keytabs and ticket caches are secrets: mode 600. */
  private static void ownerOnly(Path file) throws Exception {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  /** Writes, reads back and deletes a small file through the Java client. */
  private static void probe(Configuration conf) throws Exception {
    byte[] want = "hetl secure probe\n".getBytes(StandardCharsets.UTF_8);
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path("/tmp/.hetl-secure-probe");
    try (FileSystem fs = FileSystem.newInstance(conf)) {
      try (FSDataOutputStream out = fs.create(p, true)) {
        out.write(want);
      }
      byte[] got = new byte[want.length];
      try (FSDataInputStream in = fs.open(p)) {
        in.readFully(got);
      }
      if (!Arrays.equals(want, got)) {
        throw new IllegalStateException("probe file read back differs from what was written");
      }
      fs.delete(p, false);
    }
  }

  /**
   * A krb5.conf for clients (gokrb5, MIT tools, Java): TCP only, because the MiniKdc listens on TCP, and no
   * DNS lookups.
   */
  private static String krb5Conf(String realm, int port) {
    return "[libdefaults]\n"
        + "  default_realm = " + realm + "\n"
        + "  dns_lookup_kdc = false\n"
        + "  dns_lookup_realm = false\n"
        + "  udp_preference_limit = 1\n"
        + "  rdns = false\n"
        + "\n"
        + "[realms]\n"
        + "  " + realm + " = {\n"
        + "    kdc = 127.0.0.1:" + port + "\n"
        + "  }\n"
        + "\n"
        + "[domain_realm]\n"
        + "  localhost = " + realm + "\n";
  }
}
