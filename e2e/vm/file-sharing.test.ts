/**
 * File sharing over the transport this host gives by default: virtio-fs on a Linux host
 * running as root with a virtiofsd (this machine), 9p elsewhere. virtiofsd's open-files limit
 * is set on purpose to 20,000 (this machine's; desktops give up to 1,000,000), so one test can
 * walk past it.
 */
import { currentHost } from '../../main/vm/host-facts';
import { fileSharingSuite } from '../helpers/file-sharing-suite';

const virtiofs = Boolean(currentHost().virtiofsd());
fileSharingSuite('file sharing (the host default)', { expected: virtiofs ? 'virtiofs' : '9p', shareOptions: virtiofs ? 'nofile=20000' : undefined });
