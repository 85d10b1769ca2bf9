/**
 * File sharing over the transport this host gives by default: virtio-fs on a Linux host
 * running as root with a virtiofsd (this machine), 9p elsewhere.
 */
import { currentHost } from '../../main/vm/host-facts';
import { fileSharingSuite } from '../helpers/file-sharing-suite';

fileSharingSuite('file sharing (the host default)', { expected: currentHost().virtiofsd() ? 'virtiofs' : '9p' });
