package dev.hetl.testcluster;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.service.Service;
import org.apache.hadoop.yarn.server.nodemanager.NodeManager;
import org.apache.hadoop.yarn.server.nodemanager.webapp.WebServer;
import org.apache.hadoop.yarn.server.resourcemanager.ResourceManager;

/**
 * Starts hetl's test HDFS (MiniDFSCluster: one namenode, one datanode) and YARN (one ResourceManager, one
 * NodeManager) in this JVM, writes a HADOOP_CONF_DIR and an endpoints file only once both
 * serve, then blocks until the process is told to stop.
 *
 * <p>Usage: HadoopCluster WORK_DIR CONF_DIR ENV_FILE
 */
public final class HadoopCluster {
  private HadoopCluster() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable t) {
      // The mini clusters leave non-daemon threads behind: exit explicitly so a failed start is visible.
      t.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: HadoopCluster WORK_DIR CONF_DIR ENV_FILE");
      System.exit(2);
    }
    File work = new File(args[0]).getAbsoluteFile();
    File confDir = new File(args[1]).getAbsoluteFile();
    Path envFile = new File(args[2]).getAbsoluteFile().toPath();

    Configuration conf = new YarnConfiguration();
    conf.set("hadoop.tmp.dir", new File(work, "tmp").getPath());
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(work, "dfs").getPath());
    // Small blocks so tests cross block boundaries with files of a few MB.
    conf.setLong("dfs.namenode.fs-limits.min-block-size", 1024 * 1024);
    conf.setLong("dfs.blocksize", 1024 * 1024);
    conf.setInt("dfs.replication", 1);
    conf.set("hadoop.http.staticuser.user", "hetl");
    // Any local user may act for others: the Go clients name their own user.
    conf.set("hadoop.proxyuser.root.hosts", "*");
    conf.set("hadoop.proxyuser.root.groups", "*");

    // YARN: room for a few containers, no disk-full surprises on a busy CI disk.
    conf.setInt(YarnConfiguration.NM_PMEM_MB, 4096);
    conf.setInt(YarnConfiguration.NM_VCORES, 4);
    conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
    conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    conf.setFloat(
        YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 100.0f);
    conf.setInt(YarnConfiguration.RM_AM_MAX_ATTEMPTS, 1);

    MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf)
        .numDataNodes(1)
        .format(true)
        .build();
    dfs.waitActive();
    String defaultFS = "hdfs://127.0.0.1:" + dfs.getNameNodePort();
    conf.set("fs.defaultFS", defaultFS);

    // Open directories for the test users (the JVM's user is the HDFS superuser).
    FileSystem fs = dfs.getFileSystem();
    for (String dir : new String[] {"/", "/tmp", "/user", "/warehouse"}) {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir);
      fs.mkdirs(p);
      fs.setPermission(p, new FsPermission((short) 01777));
    }

    // YARN is started by hand rather than with MiniYARNCluster: Guice's servlet pipeline is global to the
    // JVM and the last web app started owns it. MiniYARNCluster starts the NodeManager's web app after the
    // ResourceManager's, which leaves the RM's REST API (/ws/v1/cluster/...) answering with the NM's routes.
    // So: NodeManager first (it waits for the RM to register), then the ResourceManager.
    String rmAddress = "127.0.0.1:" + freePort();
    String schedulerAddress = "127.0.0.1:" + freePort();
    String webapp = "127.0.0.1:" + freePort();
    conf.set(YarnConfiguration.RM_ADDRESS, rmAddress);
    conf.set(YarnConfiguration.RM_SCHEDULER_ADDRESS, schedulerAddress);
    conf.set(YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS, "127.0.0.1:" + freePort());
    conf.set(YarnConfiguration.RM_ADMIN_ADDRESS, "127.0.0.1:" + freePort());
    conf.set(YarnConfiguration.RM_WEBAPP_ADDRESS, webapp);
    conf.set(YarnConfiguration.RM_SCHEDULER,
        "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
    conf.set(YarnConfiguration.NM_ADDRESS, "127.0.0.1:0");
    conf.set(YarnConfiguration.NM_LOCALIZER_ADDRESS, "127.0.0.1:" + freePort());
    conf.set(YarnConfiguration.NM_WEBAPP_ADDRESS, "127.0.0.1:0");
    conf.set(YarnConfiguration.NM_LOCAL_DIRS, new File(work, "nm-local").getPath());
    conf.set(YarnConfiguration.NM_LOG_DIRS, new File(work, "nm-logs").getPath());
    conf.set(YarnConfiguration.NM_REMOTE_APP_LOG_DIR, "/tmp/logs");

    NodeManager nm = new NodeManager();
    nm.init(new YarnConfiguration(conf));
    Thread nmStarter = new Thread(nm::start, "nodemanager-start");
    nmStarter.setDaemon(true);
    nmStarter.start();
    waitFor("NodeManager web app", () -> nm.getServices().stream()
        .anyMatch(svc -> svc instanceof WebServer && svc.isInState(Service.STATE.STARTED)));

    ResourceManager rm = new ResourceManager();
    rm.init(new YarnConfiguration(conf));
    rm.start();
    waitFor("NodeManager registration", () -> rm.getRMContext().getRMNodes().size() >= 1);

    Files.createDirectories(confDir.toPath());
    Map<String, String> core = new LinkedHashMap<>();
    core.put("fs.defaultFS", defaultFS);
    writeSite(confDir.toPath().resolve("core-site.xml"), core);
    Map<String, String> hdfs = new LinkedHashMap<>();
    hdfs.put("dfs.replication", "1");
    hdfs.put("dfs.blocksize", "1048576");
    hdfs.put("dfs.namenode.rpc-address", "127.0.0.1:" + dfs.getNameNodePort());
    writeSite(confDir.toPath().resolve("hdfs-site.xml"), hdfs);
    Map<String, String> site = new LinkedHashMap<>();
    site.put(YarnConfiguration.RM_ADDRESS, rmAddress);
    site.put(YarnConfiguration.RM_SCHEDULER_ADDRESS, schedulerAddress);
    site.put(YarnConfiguration.RM_WEBAPP_ADDRESS, webapp);
    writeSite(confDir.toPath().resolve("yarn-site.xml"), site);

    String env = "export HADOOP_CONF_DIR=" + confDir.getPath() + "\n"
        + "export HETL_TEST_HDFS=" + defaultFS + "\n"
        + "export HETL_TEST_YARN_RM=http://" + webapp + "\n"
        + "export HETL_TEST_HADOOP_PID=" + ProcessHandle.current().pid() + "\n";
    CountDownLatch stop = stopOnSignal();
    writeAtomically(envFile, env);
    System.err.println("HadoopCluster: ready: HDFS " + defaultFS + ", YARN RM http://" + webapp);
    stop.await();

    System.err.println("HadoopCluster: stopping");
    Files.deleteIfExists(envFile);
    try {
      nm.stop();
      rm.stop();
    } finally {
      dfs.shutdown();
    }
    System.err.println("HadoopCluster: stopped");
    System.exit(0);
  }

  /**
   * Turns SIGTERM and SIGINT into a latch, so the servers are stopped by main() in an orderly way rather than
   * inside JVM shutdown hooks (where Hadoop's services throw "Shutdown in progress" as they remove their own
   * hooks). Installed only once the cluster serves: a signal during start-up still ends the JVM at once.
   */
  static CountDownLatch stopOnSignal() {
    CountDownLatch stop = new CountDownLatch(1);
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> stop.countDown());
    }
    return stop;
  }

  private static void waitFor(String what, BooleanSupplier ready) throws InterruptedException {
    for (int i = 0; i < 1200; i++) {
      if (ready.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(what + " not ready after 120 s");
  }

  /** A port free right now; the small race with other processes is acceptable for a test stack. */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static void writeSite(Path file, Map<String, String> props) throws IOException {
    StringBuilder sb = new StringBuilder("<?xml version=\"1.0\"?>\n<configuration>\n");
    for (Map.Entry<String, String> e : props.entrySet()) {
      sb.append("  <property><name>").append(e.getKey()).append("</name><value>")
          .append(e.getValue()).append("</value></property>\n");
    }
    sb.append("</configuration>\n");
    writeAtomically(file, sb.toString());
  }

  /** Writes a file readers can never see half-written: temp file, then rename. */
  static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = new FileOutputStream(tmp.toFile())) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
