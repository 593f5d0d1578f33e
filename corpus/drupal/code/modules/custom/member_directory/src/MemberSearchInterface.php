<?php

declare(strict_types=1);

namespace Drupal\member_directory;

/**
 * Finds the members who are listed in the directory.
 */
interface MemberSearchInterface {

  /**
   * Searches listed members by name, job title or expertise, one page at a time.
   *
   * @param string $keywords
   *   Words to look for; an empty string lists everyone.
   *
   * @return \Drupal\user\UserInterface[]
   *   The members on the current pager page, sorted by name.
   */
  public function search(string $keywords): array;

  /**
   * Returns the members who joined most recently.
   *
   * @return \Drupal\user\UserInterface[]
   *   Up to $limit members, newest first.
   */
  public function newest(int $limit): array;

}
