<?php

declare(strict_types=1);

namespace Drupal\site_alerts;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Cache\Cache;

/**
 * Works out which alerts are running now and how long that answer stays valid.
 */
class AlertScheduler {

  public function __construct(
    protected readonly AlertRepositoryInterface $repository,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * Returns the alerts running now, most urgent first.
   *
   * @return \Drupal\site_alerts\SiteAlert[]
   *   The active alerts keyed by ID.
   */
  public function getActiveAlerts(?AlertSeverity $minimum = NULL): array {
    $now = $this->time->getCurrentTime();
    $active = array_filter(
      $this->repository->loadAll(),
      static fn (SiteAlert $alert): bool => $alert->isActiveAt($now)
        && ($minimum === NULL || $alert->severity->rank() >= $minimum->rank()),
    );
    uasort($active, static fn (SiteAlert $a, SiteAlert $b): int => $b->severity->rank() <=> $a->severity->rank());
    return $active;
  }

  /**
   * Returns the alerts that have ended.
   *
   * @return \Drupal\site_alerts\SiteAlert[]
   *   The ended alerts keyed by ID.
   */
  public function getEndedAlerts(): array {
    $now = $this->time->getCurrentTime();
    return array_filter(
      $this->repository->loadAll(),
      static fn (SiteAlert $alert): bool => $alert->hasEndedBy($now),
    );
  }

  /**
   * Returns the seconds until the set of active alerts next changes.
   *
   * Render caches that show alerts use this as their max-age, so a banner
   * appears and disappears on time without waiting for a cache clear.
   */
  public function getCacheMaxAge(): int {
    $now = $this->time->getCurrentTime();
    $next = Cache::PERMANENT;
    foreach ($this->repository->loadAll() as $alert) {
      foreach ([$alert->startsAt, $alert->endsAt] as $boundary) {
        if ($boundary !== NULL && $boundary > $now) {
          $seconds = $boundary - $now;
          $next = $next === Cache::PERMANENT ? $seconds : min($next, $seconds);
        }
      }
    }
    return $next;
  }

}
