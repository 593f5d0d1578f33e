<?php

declare(strict_types=1);

namespace Drupal\job_board;

/**
 * Stores the applications candidates send to job postings.
 */
interface ApplicationStorageInterface {

  /**
   * Saves a new application and returns its ID.
   */
  public function add(int $nid, int $uid, string $name, string $mail, string $coverLetter): int;

  /**
   * Loads the applications for one posting, newest first.
   *
   * @return object[]
   *   Rows with id, nid, uid, name, mail, cover_letter, created and archived.
   */
  public function loadByJob(int $nid, bool $includeArchived = FALSE): array;

  /**
   * Whether a user already applied to a posting.
   */
  public function hasApplied(int $nid, int $uid): bool;

  /**
   * Marks an application as handled so it leaves the applicant list.
   */
  public function archive(int $id): void;

  /**
   * Removes every application of a posting and returns how many were removed.
   */
  public function deleteByJob(int $nid): int;

}
