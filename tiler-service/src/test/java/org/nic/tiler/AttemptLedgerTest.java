package org.nic.tiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.nic.service.messaging.AttemptLedger;
import org.nic.storage.ObjectStore;
import org.nic.testing.S3ProxyProcess;

/**
 * The crash ledger against a real S3 server: starts that never end count as crashes, starts that end do not, and an
 * end the store could not record (it was down) does not count as a crash when the store is back.
 */
class AttemptLedgerTest {

    @Test
    void countsOnlyStartsThatNeverEnded() throws Exception {
        try (S3ProxyProcess s3 = S3ProxyProcess.start(Files.createTempDirectory("nic-ledger"), "ledger", "ledger-secret");
             ObjectStore store = new ObjectStore(new ObjectStore.Settings(s3.endpoint(), s3.accessKey(), s3.secretKey(),
                     "us-east-1", "nic"))) {
            store.ensureBucket();
            AttemptLedger ledger = new AttemptLedger(store, "tiling", 3);
            assertThat(ledger.begin("s1")).isZero();
            assertThat(store.exists(store.uri("attempts/tiling/s1.json"))).isTrue();
            // The JVM died in the work twice: each new start sees the earlier ones unfinished.
            assertThat(ledger.begin("s1")).isEqualTo(1);
            assertThat(ledger.begin("s1")).isEqualTo(2);
            ledger.end("s1");
            assertThat(store.exists(store.uri("attempts/tiling/s1.json"))).isFalse();
            assertThat(ledger.begin("s1")).as("after an end, a start is a first start").isZero();

            // The store goes down while the work ends: the marker stays, but this process knows the start ended.
            s3.kill();
            ledger.end("s1");
            s3.start();
            assertThat(ledger.begin("s1")).as("an end the store could not take is no crash").isZero();
            ledger.end("s1");
            assertThat(ledger.begin("s2")).isZero();
            assertThat(AttemptLedger.none().begin("s3")).isZero();
        }
    }
}
