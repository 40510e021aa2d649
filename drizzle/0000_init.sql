CREATE TABLE `accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`history_id` text,
	`initial_sync_completed` integer DEFAULT false NOT NULL,
	`label_sync_completed` integer DEFAULT false NOT NULL,
	`last_full_sync_at` integer,
	`last_incremental_sync_at` integer,
	`status` text DEFAULT 'active' NOT NULL,
	`last_error` text,
	`token_cipher` text,
	`messages_total` integer,
	`threads_total` integer,
	`fetch_strategy` text,
	`include_spam_trash` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_email_unique` ON `accounts` (`email`);--> statement-breakpoint
CREATE TABLE `attachments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` integer NOT NULL,
	`gmail_attachment_id` text,
	`part_id` text,
	`filename` text,
	`mime_type` text,
	`size` integer,
	`content_id` text,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `attachments_message` ON `attachments` (`message_id`);--> statement-breakpoint
CREATE TABLE `label_local_counts` (
	`account_id` integer NOT NULL,
	`label_id` text NOT NULL,
	`messages_total` integer DEFAULT 0 NOT NULL,
	`messages_unread` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`account_id`, `label_id`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `labels` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`gmail_id` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`color` text,
	`text_color` text,
	`label_list_visibility` text,
	`message_list_visibility` text,
	`messages_total` integer DEFAULT 0 NOT NULL,
	`messages_unread` integer DEFAULT 0 NOT NULL,
	`threads_total` integer DEFAULT 0 NOT NULL,
	`threads_unread` integer DEFAULT 0 NOT NULL,
	`last_synced_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `labels_account_gmail_id` ON `labels` (`account_id`,`gmail_id`);--> statement-breakpoint
CREATE TABLE `listed_ids` (
	`run_id` integer NOT NULL,
	`gmail_id` text NOT NULL,
	PRIMARY KEY(`run_id`, `gmail_id`),
	FOREIGN KEY (`run_id`) REFERENCES `sync_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `message_labels` (
	`message_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	`label_id` text NOT NULL,
	`internal_date` integer,
	PRIMARY KEY(`message_id`, `label_id`),
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `message_labels_account_label` ON `message_labels` (`account_id`,`label_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `message_labels_account_label_date` ON `message_labels` (`account_id`,`label_id`,`internal_date`,`message_id`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`gmail_id` text NOT NULL,
	`thread_id` text NOT NULL,
	`internal_date` integer,
	`history_id` text,
	`size_estimate` integer,
	`snippet` text,
	`subject` text,
	`from_addr` text,
	`to_addr` text,
	`cc_addr` text,
	`date_header` text,
	`message_id_header` text,
	`references_header` text,
	`text_body` text,
	`html_body` text,
	`details_fetched` integer DEFAULT false NOT NULL,
	`fetch_priority` integer DEFAULT 2 NOT NULL,
	`list_seq` integer DEFAULT 0 NOT NULL,
	`labels_history_id` text,
	`parse_error` text,
	`updated_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_account_gmail_id` ON `messages` (`account_id`,`gmail_id`);--> statement-breakpoint
CREATE INDEX `messages_pending` ON `messages` (`account_id`,`details_fetched`,`fetch_priority`,`list_seq`);--> statement-breakpoint
CREATE INDEX `messages_account_date` ON `messages` (`account_id`,`internal_date`);--> statement-breakpoint
CREATE INDEX `messages_thread` ON `messages` (`account_id`,`thread_id`);--> statement-breakpoint
CREATE TABLE `sync_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`type` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`start_history_id` text,
	`page_token` text,
	`listing_done` integer DEFAULT false NOT NULL,
	`listed_count` integer DEFAULT 0 NOT NULL,
	`error` text,
	`started_at` integer,
	`finished_at` integer,
	`updated_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sync_runs_account` ON `sync_runs` (`account_id`,`status`);