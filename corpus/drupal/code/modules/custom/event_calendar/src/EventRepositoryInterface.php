<?php

declare(strict_types=1);

namespace Drupal\event_calendar;

/**
 * Finds event nodes by the dates they take place on.
 */
interface EventRepositoryInterface {

  /**
   * Loads the next published events that have not ended yet.
   *
   * @param int $limit
   *   The maximum number of events to return.
   *
   * @return \Drupal\node\NodeInterface[]
   *   The events, soonest first, keyed by node ID.
   */
  public function upcoming(int $limit): array;

  /**
   * Loads the published events that overlap a calendar month.
   *
   * @param int $year
   *   The four-digit year.
   * @param int $month
   *   The month, from 1 to 12.
   *
   * @return \Drupal\node\NodeInterface[]
   *   The events, ordered by start date, keyed by node ID.
   */
  public function inMonth(int $year, int $month): array;

  /**
   * Returns the IDs of published events that ended before a timestamp.
   *
   * @param int $timestamp
   *   The Unix timestamp to compare the end dates with.
   *
   * @return int[]
   *   The node IDs.
   */
  public function endedBefore(int $timestamp): array;

}
