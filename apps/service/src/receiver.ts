import { runReceiverApp } from '@receipt-sync/pipeline';

/** OKKI push receiver (docs/apis/okki.md §12): `POST /okki/webhook` on WEBHOOK_PORT, acknowledges after a durable enqueue. */
void runReceiverApp();
