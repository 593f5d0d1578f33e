<?php

declare(strict_types=1);

namespace Drupal\event_calendar\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\event_calendar\RsvpTracker;
use Drupal\node\NodeInterface;
use Symfony\Component\HttpFoundation\RedirectResponse;

/**
 * Shows who is coming to an event and lets users withdraw their RSVP.
 *
 * The tracker is autowired through ControllerBase's AutowireTrait.
 */
class RsvpController extends ControllerBase {

  public function __construct(
    protected readonly RsvpTracker $rsvpTracker,
  ) {}

  /**
   * Lists the registered attendees of an event.
   */
  public function attendees(NodeInterface $node): array {
    $registrations = $this->rsvpTracker->registrations($node);
    $accounts = $this->entityTypeManager()->getStorage('user')->loadMultiple(array_keys($registrations));

    $attendees = [];
    foreach ($registrations as $uid => $rsvp) {
      if (isset($accounts[$uid])) {
        $attendees[] = [
          'name' => $accounts[$uid]->getDisplayName(),
          'guests' => $rsvp['guests'],
        ];
      }
    }

    return [
      '#theme' => 'event_calendar_attendee_list',
      '#event' => $node,
      '#attendees' => $attendees,
      '#headcount' => $this->rsvpTracker->headcount($node),
      '#cache' => [
        'tags' => $node->getCacheTags(),
        'max-age' => 300,
      ],
    ];
  }

  /**
   * Withdraws the current user's registration and returns to the event.
   */
  public function cancel(NodeInterface $node): RedirectResponse {
    if ($this->rsvpTracker->isRegistered($node, $this->currentUser())) {
      $this->rsvpTracker->cancel($node, $this->currentUser());
      $this->messenger()->addStatus($this->t('Your registration for %event was cancelled.', [
        '%event' => $node->label(),
      ]));
    }
    else {
      $this->messenger()->addWarning($this->t('You were not registered for %event.', [
        '%event' => $node->label(),
      ]));
    }
    return $this->redirect('entity.node.canonical', ['node' => $node->id()]);
  }

}
