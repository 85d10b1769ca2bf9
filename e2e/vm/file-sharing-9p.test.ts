/**
 * File sharing over 9p, asked for on purpose: the path macOS's QEMU has (no vhost-user), so
 * Macs always take it, tested here on the amd64 guest (arm64-guest.test.ts takes it with the
 * arm64 guest Apple Silicon runs).
 */
import { fileSharingSuite } from '../helpers/file-sharing-suite';

fileSharingSuite('file sharing over 9p', { shareOptions: 'transport=9p', expected: '9p' });
