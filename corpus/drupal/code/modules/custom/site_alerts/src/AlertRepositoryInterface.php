<?php

declare(strict_types=1);

namespace Drupal\site_alerts;

/**
 * Stores and loads scheduled site alerts.
 */
interface AlertRepositoryInterface {

  /**
   * The cache tag invalidated whenever an alert changes.
   */
  public const CACHE_TAG = 'site_alerts';

  /**
   * Saves an alert, replacing any alert with the same ID.
   */
  public function save(SiteAlert $alert): void;

  /**
   * Loads one alert, or NULL when it does not exist.
   */
  public function load(string $id): ?SiteAlert;

  /**
   * Loads every alert, sorted by start time.
   *
   * @return \Drupal\site_alerts\SiteAlert[]
   *   The alerts keyed by ID.
   */
  public function loadAll(): array;

  /**
   * Removes an alert.
   */
  public function remove(string $id): void;

}
