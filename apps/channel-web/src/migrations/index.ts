import { CreateWebChannel1764200000000 } from './1764200000000-create-web-channel.migration.js';
import { CreateWebAttachmentGrants1764300000000 } from './1764300000000-create-web-attachment-grants.migration.js';
import { AddWebContactMerges1764300000001 } from './1764300000001-add-web-contact-merges.migration.js';
import { IndexWebContactMerges1764300000002 } from './1764300000002-index-web-contact-merges.migration.js';
import { CreateWebRateBuckets1764300000003 } from './1764300000003-create-web-rate-buckets.migration.js';
import { AddWebTranscriptForms1764300000004 } from './1764300000004-add-web-transcript-forms.migration.js';
import { WebTranscriptRoomForMarks1764300000005 } from './1764300000005-web-transcript-room-for-marks.migration.js';

/** Every migration of the `channels` schema's web tables, oldest first. */
export const webChannelMigrations = [
  CreateWebChannel1764200000000,
  CreateWebAttachmentGrants1764300000000,
  AddWebContactMerges1764300000001,
  IndexWebContactMerges1764300000002,
  CreateWebRateBuckets1764300000003,
  AddWebTranscriptForms1764300000004,
  WebTranscriptRoomForMarks1764300000005,
];
