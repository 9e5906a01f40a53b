package dev.hetl.testcluster;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.testing.TestingHBaseCluster;
import org.apache.hadoop.hbase.testing.TestingHBaseClusterOption;
import org.apache.hadoop.hbase.thrift2.ThriftServer;

/**
 * Starts hetl's test HBase: a TestingHBaseCluster (one master, one region server, its own mini ZooKeeper and
 * DFS) and HBase's Thrift2 gateway in this JVM. Writes the endpoints file only after a probe table was created
 * and dropped through the Java client and the gateway accepts connections, then blocks until told to stop.
 *
 * <p>Usage: HBaseCluster WORK_DIR ENV_FILE
 */
public final class HBaseCluster {
  private HBaseCluster() {}

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
    if (args.length != 2) {
      System.err.println("usage: HBaseCluster WORK_DIR ENV_FILE");
      System.exit(2);
    }
    File work = new File(args[0]).getAbsoluteFile();
    Path envFile = new File(args[1]).getAbsoluteFile().toPath();
    System.setProperty("test.build.data.basedirectory", work.getPath());

    Configuration conf = HBaseConfiguration.create();
    conf.set("hbase.master.info.port", "-1");
    conf.set("hbase.regionserver.info.port", "-1");
    // AsyncFSWAL has broken against some Hadoop 3.4 releases (HBASE-28721); the classic WAL is enough here.
    conf.set("hbase.wal.provider", "filesystem");
    conf.set("hbase.master.hostname", "localhost");
    conf.set("hbase.regionserver.hostname", "localhost");
    conf.setInt("hbase.master.wait.on.regionservers.mintostart", 1);

    TestingHBaseCluster cluster = TestingHBaseCluster.create(TestingHBaseClusterOption.builder()
        .conf(conf)
        .numMasters(1)
        .numRegionServers(1)
        .numDataNodes(1)
        .build());
    cluster.start();
    Configuration clusterConf = cluster.getConf();
    probe(clusterConf);

    int thriftPort = freePort();
    Configuration thriftConf = new Configuration(clusterConf);
    thriftConf.setInt("hbase.regionserver.thrift.port", thriftPort);
    thriftConf.set("hbase.regionserver.thrift.ipaddress", "127.0.0.1");
    thriftConf.setInt("hbase.thrift.info.port", -1);
    // Defaults made explicit, because hetl's client must match them: no framing, binary protocol.
    thriftConf.setBoolean("hbase.regionserver.thrift.framed", false);
    thriftConf.setBoolean("hbase.regionserver.thrift.compact", false);
    ThriftServer thrift = new ThriftServer(thriftConf);
    Thread serving = new Thread(() -> {
      try {
        thrift.run(new String[] {"-p", Integer.toString(thriftPort), "-b", "127.0.0.1"});
      } catch (Throwable t) {
        t.printStackTrace();
        System.exit(1);
      }
    }, "thrift2-server");
    serving.setDaemon(true);
    serving.start();
    waitForPort(thriftPort);

    String zk = clusterConf.get("hbase.zookeeper.quorum") + ":"
        + clusterConf.get("hbase.zookeeper.property.clientPort");
    String env = "export HETL_TEST_HBASE_THRIFT=127.0.0.1:" + thriftPort + "\n"
        + "export HETL_TEST_HBASE_THRIFT_TRANSPORT=buffered\n"
        + "export HETL_TEST_HBASE_THRIFT_PROTOCOL=binary\n"
        + "export HETL_TEST_HBASE_ZOOKEEPER=" + zk + "\n"
        + "export HETL_TEST_HBASE_PID=" + ProcessHandle.current().pid() + "\n";
    CountDownLatch stop = stopOnSignal();
    writeAtomically(envFile, env);
    System.err.println("HBaseCluster: ready: Thrift2 gateway 127.0.0.1:" + thriftPort + ", ZooKeeper " + zk);
    stop.await();

    System.err.println("HBaseCluster: stopping");
    Files.deleteIfExists(envFile);
    try {
      thrift.stop();
    } finally {
      cluster.stop();
    }
    System.err.println("HBaseCluster: stopped");
    System.exit(0);
  }

  /** SIGTERM and SIGINT as a latch, so main() stops the servers in order (see HadoopCluster). */
  private static CountDownLatch stopOnSignal() {
    CountDownLatch stop = new CountDownLatch(1);
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> stop.countDown());
    }
    return stop;
  }

  /** Creates and drops a table through the Java client: the cluster can serve, not merely run. */
  private static void probe(Configuration conf) throws IOException {
    TableName name = TableName.valueOf("hetl_startup_probe");
    try (Connection conn = ConnectionFactory.createConnection(conf); Admin admin = conn.getAdmin()) {
      admin.createTable(TableDescriptorBuilder.newBuilder(name)
          .setColumnFamily(ColumnFamilyDescriptorBuilder.of("f"))
          .build());
      admin.disableTable(name);
      admin.deleteTable(name);
    }
  }

  private static void waitForPort(int port) throws InterruptedException {
    for (int i = 0; i < 1200; i++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("Thrift2 gateway not listening on port " + port + " after 120 s");
  }

  /** A port free right now; the small race with other processes is acceptable for a test stack. */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = new FileOutputStream(tmp.toFile())) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
