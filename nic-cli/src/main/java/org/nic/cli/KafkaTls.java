package org.nic.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A broker's TLS material made with the JDK's keytool, for a broker outside Kubernetes (where Strimzi makes its own):
 * a certificate authority of its own ({@code ca.crt}, PEM: what clients trust) and the broker's key and certificate
 * signed by it, for localhost and 127.0.0.1 ({@code broker.p12}, its password in {@code broker.password}, owner-only).
 * Made once per stack, never committed.
 */
public final class KafkaTls {

    /** Where a folder's files are. */
    public record Material(Path caCertificate, Path keystore, String keystorePassword) { }

    private KafkaTls() {
    }

    /** The material in {@code dir}, made there first when it is not. */
    public static Material ensure(Path dir) throws IOException {
        Path ca = dir.resolve("ca.crt");
        Path keystore = dir.resolve("broker.p12");
        Path password = dir.resolve("broker.password");
        if (!Files.isRegularFile(ca) || !Files.isRegularFile(keystore) || !Files.isRegularFile(password)) {
            generate(dir, "NIC Kafka CA");
        }
        return new Material(ca, keystore, Files.readString(password).trim());
    }

    /** A new authority and broker certificate in {@code dir}; {@code caName} names the authority. */
    public static Material generate(Path dir, String caName) throws IOException {
        Files.createDirectories(dir);
        String pw = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Path caStore = dir.resolve("ca.p12");
        Path keystore = dir.resolve("broker.p12");
        for (Path p : List.of(caStore, keystore, dir.resolve("ca.crt"), dir.resolve("broker.csr"), dir.resolve("broker.crt"))) {
            Files.deleteIfExists(p);
        }
        keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + caName,
                "-ext", "bc:c", "-validity", "825", "-keystore", caStore.toString(), "-storetype", "PKCS12", "-storepass", pw);
        keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", pw, "-file",
                dir.resolve("ca.crt").toString());
        keytool(dir, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-validity", "825", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", pw);
        keytool(dir, "-certreq", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", pw, "-file",
                dir.resolve("broker.csr").toString());
        keytool(dir, "-gencert", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", pw, "-infile",
                dir.resolve("broker.csr").toString(), "-outfile", dir.resolve("broker.crt").toString(), "-rfc",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "825");
        keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-keystore", keystore.toString(), "-storepass", pw,
                "-file", dir.resolve("ca.crt").toString());
        keytool(dir, "-importcert", "-noprompt", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", pw,
                "-file", dir.resolve("broker.crt").toString());
        Files.deleteIfExists(dir.resolve("broker.csr"));
        Path password = dir.resolve("broker.password");
        Files.deleteIfExists(password);
        Files.createFile(password);
        try {
            for (Path p : List.of(password, caStore, keystore)) {
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.writeString(password, pw);
        return new Material(dir.resolve("ca.crt"), keystore, pw);
    }

    private static void keytool(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Path log = dir.resolve("keytool.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool " + args[0] + " failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
