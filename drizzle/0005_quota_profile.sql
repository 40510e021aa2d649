ALTER TABLE `accounts` ADD `quota_profile` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `quota_profile_checked_at` integer;